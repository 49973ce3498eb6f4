// Added to every page that has formulas, after the MathJax 3 options set by MyST.
// ipywidgets typesets widget labels through the MathJax 2 API (MathJax.Hub.Queue), which
// MathJax 3 does not have: without this facade a widget on a page with formulas throws.
window.MathJax = Object.assign(window.MathJax || {}, {
  startup: {
    ready() {
      MathJax.startup.defaultReady();
      MathJax.Hub = {
        Queue(job) {
          const element = Array.isArray(job) ? job[2] : undefined;
          if (element) {
            MathJax.startup.promise.then(() => MathJax.typesetPromise([element]));
          }
        },
      };
    },
  },
});
