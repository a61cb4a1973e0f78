// Minifies (and mangles) a third-party module before webpack bundles it. The bundle's own
// minifier then runs with mangling off, so the widget's own code stays readable for Kommo's
// marketplace moderation while bundled libraries are minified, which moderation allows
// (https://developers.kommo.com/docs/widget-moderation).
const { minify } = require('terser');

module.exports = function minifyVendor(source, map) {
  const callback = this.async();
  minify(source, { module: true, compress: { passes: 2 }, mangle: true, format: { comments: false } })
    .then((result) => callback(null, result.code ?? source, map))
    .catch((error) => callback(error));
};
