// Merged into @jupyterlab/builder's webpack config. plotly.min.js is minified already: skip
// parsing it and skip a second minification (it takes most of the build time otherwise).
module.exports = {
  module: { noParse: /plotly\.min\.js$/ },
  optimization: { minimize: false },
};
