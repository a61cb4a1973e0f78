// Builds src/ into dist/widget/script.js, one AMD module, the way Kommo's own widget template
// does: `define(['jquery', 'underscore'], factory)` with both taken from the host page.
// https://developers.kommo.com/docs/script-js
// The settings modal's code is a second AMD module, settings.js beside script.js, that the host's
// RequireJS loads when the modal opens (src/platform/settings-loader.ts). It imports nothing
// from script.js at run time (the settings rules are handed over), so nothing is bundled twice.
const path = require('path');
const TerserPlugin = require('terser-webpack-plugin');

module.exports = (env = {}) => ({
  mode: 'production',
  target: ['web', 'es2020'],
  entry: {
    // `export default` of src/index.ts is what the define() factory returns: the constructor.
    script: { import: path.resolve(__dirname, 'src/index.ts'), library: { type: 'amd', export: 'default' } },
    settings: { import: path.resolve(__dirname, 'src/platform/settings-modal.ts'), library: { type: 'amd' } },
  },
  output: {
    path: path.resolve(__dirname, 'dist/widget'),
    filename: '[name].js',
    clean: false,
  },
  // Taken from the host's RequireJS: define()'s dependency list (per-entry libraries set no default).
  externalsType: 'amd',
  externals: {
    jquery: 'jquery',
    underscore: 'underscore',
  },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        use: { loader: 'ts-loader', options: { configFile: path.resolve(__dirname, 'tsconfig.build.json') } },
      },
      {
        test: /\.m?js$/,
        include: /node_modules/,
        use: path.resolve(__dirname, 'scripts/webpack/minify-vendor-loader.js'),
      },
    ],
  },
  // Source maps go next to the bundle for development; the zip step never packs them.
  devtool: env.sourcemap === false ? false : 'source-map',
  optimization: {
    minimize: true,
    minimizer: [
      new TerserPlugin({
        extractComments: false,
        terserOptions: {
          // Kommo's marketplace moderation wants readable code: the widget's own names are
          // never mangled (libraries arrive already minified by minify-vendor-loader.js).
          // Whitespace goes: any formatter restores it, and beautified output costs ~8 KB gzip.
          mangle: false,
          compress: { passes: 2 },
          format: { comments: false },
        },
      }),
    ],
  },
  performance: { hints: false },
  stats: 'errors-warnings',
});
