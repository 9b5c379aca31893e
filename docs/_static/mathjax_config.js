// MathJax 3: the arithmatex spans of the pages, and $...$ in the rendered notebooks.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  // Nothing in the page body is typeset except the arithmatex spans of the Markdown pages and
  // the Markdown cells of rendered notebooks (an element's class decides for its subtree).
  options: {
    ignoreHtmlClass: "md-content",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown",
  },
};
if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax && MathJax.typesetPromise) {
      MathJax.startup.output.clearCache();
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
