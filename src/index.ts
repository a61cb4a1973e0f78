/** The AMD module's export: the widget constructor (see webpack.config.js, `library.type: 'amd'`). */
import TelephonyWidget from './platform/widget';

export default TelephonyWidget;
