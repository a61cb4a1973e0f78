// Builds src/ into dist/widget/script.js, one AMD module, the way Kommo's own widget template
// does: `define(['jquery', 'underscore'], factory)` with both taken from the host page.
// https://developers.kommo.com/docs/script-js
// Parts loaded only where they are used are more AMD modules beside script.js, fetched with the
// host's RequireJS (src/platform/widget-part.ts): settings.js when the settings modal opens,
// poll.js when the settings choose polling, lease.js in browsers without Web Locks, leader.js
// (feed, lookup, notifier) in the leading tab. They import nothing from script.js at run time:
// poll.js and lease.js are handed what they share with script.js; leader.js carries its own
// copy of the few src/core modules both use (about 1 KB gzip), rather than a slot for each.
const path = require('path');
const TerserPlugin = require('terser-webpack-plugin');
const webpack = require('webpack');

// Parts (script.js loads them: src/platform/widget-part.ts) must not carry a copy of code script.js
// already has. Each part takes that code from one module (src/feed/poll-shared.ts,
// src/tabs/lease-shared.ts); inside the part's files it becomes its "-slot" twin, filled with
// script.js's own functions when the part is handed over. script.js keeps the real module.
const PART_SHARED = [
  { request: './poll-shared', issuer: /[\\/]src[\\/]feed[\\/]poll-[\w-]+\.ts$/ },
  { request: './lease-shared', issuer: /[\\/]src[\\/]tabs[\\/]lease-[\w-]+\.ts$/ },
];
const partShared = new webpack.NormalModuleReplacementPlugin(/-shared$/, (resource) => {
  const part = PART_SHARED.find((p) => p.request === resource.request && p.issuer.test(resource.contextInfo.issuer || ''));
  if (part) resource.request = `${part.request}-slot`;
});

module.exports = (env = {}) => ({
  mode: 'production',
  target: ['web', 'es2020'],
  entry: {
    // `export default` of src/index.ts is what the define() factory returns: the constructor.
    script: { import: path.resolve(__dirname, 'src/index.ts'), library: { type: 'amd', export: 'default' } },
    settings: { import: path.resolve(__dirname, 'src/platform/settings-modal.ts'), library: { type: 'amd' } },
    // The polling transport, loaded only by polling installs (src/platform/lifecycle.ts).
    poll: { import: path.resolve(__dirname, 'src/feed/poll-part.ts'), library: { type: 'amd' } },
    // The leading tab's feed, lookup (with the phone number metadata) and notifier: src/app/leader.ts.
    leader: { import: path.resolve(__dirname, 'src/app/leader-part.ts'), library: { type: 'amd' } },
    // The localStorage lease election, loaded only in browsers without Web Locks.
    lease: { import: path.resolve(__dirname, 'src/tabs/lease-part.ts'), library: { type: 'amd' } },
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
  plugins: [partShared],
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
