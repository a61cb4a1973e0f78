// Builds src/ into one AMD module, dist/widget/script.js, the way Kommo's own widget template
// does: `define(['jquery', 'underscore'], factory)` with both taken from the host page.
// https://developers.kommo.com/docs/script-js
const path = require('path');
const TerserPlugin = require('terser-webpack-plugin');

module.exports = (env = {}) => ({
  mode: 'production',
  target: ['web', 'es2020'],
  entry: path.resolve(__dirname, 'src/index.ts'),
  output: {
    path: path.resolve(__dirname, 'dist/widget'),
    filename: 'script.js',
    // `export default` of src/index.ts is what the define() factory returns: the constructor.
    library: { type: 'amd', export: 'default' },
    clean: false,
  },
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
