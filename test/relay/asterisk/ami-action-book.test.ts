/** ActionID correlation (relay/src/asterisk/ami-action-book.ts), shaped like the captures' messages. */
import { ActionBook } from '../../../relay/src/asterisk/ami-action-book';

describe('the action book', () => {
  it('answers a plain action with its Response and forgets it', () => {
    const book = new ActionBook<string>();
    book.open('r1', 'ping');
    expect(book.receive({ Response: 'Success', ActionID: 'r1', Ping: 'Pong' })).toEqual({ to: 'answered', id: 'r1', handle: 'ping', answer: { response: { Response: 'Success', ActionID: 'r1', Ping: 'Pong' }, events: [] } });
    expect(book.size()).toBe(0);
    expect(book.receive({ Response: 'Success', ActionID: 'r1' })).toEqual({ to: 'nowhere', why: 'response to no pending action' });
  });

  it('collects a list up to EventList: Complete, without the Complete event', () => {
    const book = new ActionBook<string>();
    book.open('a7', 'list');
    expect(book.receive({ Response: 'Success', ActionID: 'a7', EventList: 'start' }).to).toBe('progress');
    expect(book.receive({ Event: 'CoreShowChannel', ActionID: 'a7', Uniqueid: '1.1' }).to).toBe('progress');
    expect(book.receive({ Event: 'Newstate', Uniqueid: '1.1' })).toEqual({ to: 'listeners' });
    const done = book.receive({ Event: 'CoreShowChannelsComplete', ActionID: 'a7', EventList: 'Complete', ListItems: '1' });
    expect(done).toMatchObject({ to: 'answered', answer: { events: [{ Event: 'CoreShowChannel', ActionID: 'a7', Uniqueid: '1.1' }] } });
  });

  it('sends an OriginateResponse (an Event with a Response key) to the listeners, even while its ActionID is pending', () => {
    const book = new ActionBook<string>();
    book.open('a2', 'originate');
    expect(book.receive({ Event: 'OriginateResponse', ActionID: 'a2', Response: 'Success', Reason: '4' })).toEqual({ to: 'listeners' });
    expect(book.receive({ Response: 'Success', ActionID: 'a2', Message: 'Originate successfully queued' }).to).toBe('answered');
    expect(book.receive({ Event: 'OriginateResponse', ActionID: 'a2', Response: 'Success', Reason: '4' })).toEqual({ to: 'listeners' });
  });

  it('a list refused (Response: Error) is answered at once; take/takeAll forget actions', () => {
    const book = new ActionBook<string>();
    book.open('x', 'list');
    book.open('y', 'other');
    book.open('z', 'third');
    expect(book.receive({ Response: 'Error', ActionID: 'x', Message: 'Permission denied' })).toMatchObject({ to: 'answered', answer: { events: [] } });
    expect(book.take('y')).toBe('other');
    expect(book.take('y')).toBeUndefined();
    expect(book.takeAll()).toEqual(['third']);
    expect(book.receive({ Message: 'neither' })).toEqual({ to: 'nowhere', why: 'message with neither Response nor Event' });
  });
});
