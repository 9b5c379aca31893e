"""Side-by-side speed benchmarks of dissipax against NumPy/SciPy/lmfit references."""
