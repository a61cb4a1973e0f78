import { ENGLISH_DIAL_STRINGS } from '../../../src/dial';
import { describeTranslations } from '../../support/i18n-sections';

describeTranslations('dial', ENGLISH_DIAL_STRINGS);
