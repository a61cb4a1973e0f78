/**
 * In-app navigation, as Kommo's single-page app does for `.js-navigate-link` anchors: `destroy`,
 * the new area, `render`, then `$(document).trigger('page:changed')`; other same-origin links
 * reload the page. And click-to-call: a card's Call button runs the handler the widget gave
 * `add_action('phone', fn)` (https://developers.kommo.com/docs/click-to-call).
 */
import type { Bell } from './bell';
import type { Host } from './host';
import type { Pages } from './pages';

export type Navigate = (url: string, push?: boolean) => void;

export function installNavigation(host: Host, pages: Pages, bell: Bell): Navigate {
  const { recorder, lifecycle, settings } = host;
  const record = recorder.record;

  const navigate: Navigate = (url, push = true) => {
    const target = new URL(url, location.href);
    if (push) history.pushState({}, '', target.pathname + target.search);
    record.navigations.push({ url: target.pathname + target.search, inApp: true });
    const running = () => lifecycle.widget() !== null && settings.active();
    if (running()) lifecycle.call('destroy');
    pages.render();
    if (running()) lifecycle.runArea();
    record.pageChanged += 1;
    const $ = host.$();
    if ($) $(document).trigger('page:changed');
  };
  record.navigate = navigate;

  document.addEventListener('click', (event) => {
    const anchor = event.target instanceof Element ? event.target.closest('a') : null;
    if (!anchor?.href) return;
    const target = new URL(anchor.href, location.href);
    const sameTab = target.origin === location.origin && !anchor.target;
    if (anchor.classList.contains('js-navigate-link') && sameTab) {
      event.preventDefault();
      bell.toggle(false);
      navigate(target.href);
      return;
    }
    if (sameTab) record.navigations.push({ url: target.pathname + target.search, inApp: false });
  });

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('.call-btn') : null;
    if (!button) return;
    const value = button.getAttribute('data-phone') ?? '';
    const handler = host.actions.get('phone');
    record.clickToCall = [...(record.clickToCall ?? []), { value, handled: typeof handler === 'function' }];
    if (typeof handler !== 'function') return;
    try {
      handler({ value });
    } catch (error) {
      recorder.error('add_action:phone', error);
    }
  });

  window.addEventListener('popstate', () => navigate(location.href, false));
  return navigate;
}
