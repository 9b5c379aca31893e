"""Side-by-side speed benchmarks of dissipax against SciPy/lmfit references."""
