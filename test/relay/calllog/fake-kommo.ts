/**
 * A Kommo account in memory behind the KommoApi interface, for the call log's rules: contacts
 * matched on the last 10 digits, calls refused per uniq, incoming leads, tasks. Every request is
 * recorded; `loseAnswer` makes one request land and then fail as if its answer was lost.
 */
import { KommoApiError } from '../../../relay/src/kommo/errors';
import type { KommoEntity } from '../../../relay/src/calllog/types';
import type { CallFiled, KommoApi, KommoCallBody, KommoOpenTask, KommoTaskBody, KommoUnsortedSipBody } from '../../../relay/src/kommo/types';

const key = (phone: string) => phone.replace(/\D/g, '').slice(-10);
const cardKey = (entity: KommoEntity) => `${entity.type}:${entity.id}`;

export interface FakeTask extends KommoTaskBody {
  id: number;
  completed: boolean;
  result?: string;
}

type Method = keyof KommoApi;

export class FakeKommo implements KommoApi {
  readonly requests: Array<{ method: Method; args: unknown[] }> = [];
  readonly calls: KommoCallBody[] = [];
  readonly leads: KommoUnsortedSipBody[] = [];
  readonly tasks: FakeTask[] = [];
  /** By the number's key: the card a call is filed on (a lead, else the contact) and the contact. */
  private readonly known = new Map<string, { card: KommoEntity; contact: KommoEntity; responsibleUserId: number }>();
  /** Contacts the relay made that logCall does not match (matchesNewContacts false); findContact finds them. */
  private readonly unmatched = new Map<string, { card: KommoEntity; contact: KommoEntity; responsibleUserId: number }>();
  readonly contactsMade: Array<{ name: string; phone: string; responsibleUserId: number | null }> = [];
  /** The responsible user of each card; a card not here is gone (null). */
  readonly responsible = new Map<string, number>();
  /** false: Kommo does not match a contact the relay made (its index is late). */
  matchesNewContacts = true;
  private nextId = 1000;
  private lost = new Set<Method>();
  private failing = new Map<Method, Error>();

  /** A customer Kommo knows: its contact and, when given, the lead calls are filed on. */
  knowCustomer(phone: string, o: { contactId: number; responsibleUserId: number; lead?: { id: number; responsibleUserId: number } }): void {
    const contact: KommoEntity = { id: o.contactId, type: 'contacts' };
    const card: KommoEntity = o.lead === undefined ? contact : { id: o.lead.id, type: 'leads' };
    this.known.set(key(phone), { card, contact, responsibleUserId: o.responsibleUserId });
    this.responsible.set(cardKey(contact), o.responsibleUserId);
    if (o.lead !== undefined) this.responsible.set(cardKey(card), o.lead.responsibleUserId);
  }

  /** The next request of `method` lands, and then fails as a lost answer (transient, no status). */
  loseAnswer(method: Method): void {
    this.lost.add(method);
  }

  /** Every request of `method` fails with `error` before anything lands (until `heal`). */
  fail(method: Method, error: Error): void {
    this.failing.set(method, error);
  }

  heal(method: Method): void {
    this.failing.delete(method);
  }

  count(method: Method): number {
    return this.requests.filter((r) => r.method === method).length;
  }

  private begin(method: Method, args: unknown[]): void {
    this.requests.push({ method, args });
    const error = this.failing.get(method);
    if (error !== undefined) throw error;
  }

  private end<T>(method: Method, answer: T): T {
    if (this.lost.delete(method)) throw new KommoApiError({ kind: 'transient', status: null, method: 'POST', path: `/fake/${method}`, detail: 'answer lost' });
    return answer;
  }

  async logCall(call: KommoCallBody): Promise<CallFiled> {
    this.begin('logCall', [call]);
    if (this.calls.some((c) => c.uniq === call.uniq)) return this.end('logCall', { filed: 'duplicate' });
    const customer = this.known.get(key(call.phone));
    if (customer === undefined) return this.end('logCall', { filed: 'unknown-number' });
    this.calls.push(call);
    return this.end('logCall', { filed: 'on-card', entity: customer.card });
  }

  async addUnsortedSip(lead: KommoUnsortedSipBody): Promise<{ added: 'created' | 'duplicate' }> {
    this.begin('addUnsortedSip', [lead]);
    if (this.leads.some((l) => l.metadata.uniq === lead.metadata.uniq)) return this.end('addUnsortedSip', { added: 'duplicate' as const });
    this.leads.push(lead);
    return this.end('addUnsortedSip', { added: 'created' as const });
  }

  async findContact(phone: string): Promise<{ entity: KommoEntity; responsibleUserId: number } | null> {
    this.begin('findContact', [phone]);
    const customer = this.known.get(key(phone)) ?? this.unmatched.get(key(phone));
    return this.end('findContact', customer === undefined ? null : { entity: customer.contact, responsibleUserId: customer.responsibleUserId });
  }

  async addContact(name: string, phone: string, responsibleUserId: number | null): Promise<KommoEntity> {
    this.begin('addContact', [name, phone, responsibleUserId]);
    this.nextId += 1;
    const contact: KommoEntity = { id: this.nextId, type: 'contacts' };
    // Kommo makes the token's user responsible when none is given.
    const responsible = responsibleUserId ?? 1;
    this.contactsMade.push({ name, phone, responsibleUserId });
    (this.matchesNewContacts ? this.known : this.unmatched).set(key(phone), { card: contact, contact, responsibleUserId: responsible });
    this.responsible.set(cardKey(contact), responsible);
    return this.end('addContact', contact);
  }

  async responsibleOf(entity: KommoEntity): Promise<number | null> {
    this.begin('responsibleOf', [entity]);
    return this.end('responsibleOf', this.responsible.get(cardKey(entity)) ?? null);
  }

  async openCallTasks(entity: KommoEntity): Promise<KommoOpenTask[]> {
    this.begin('openCallTasks', [entity]);
    const open = this.tasks.filter((t) => !t.completed && t.task_type_id === 1 && t.entity_id === entity.id && t.entity_type === entity.type);
    return this.end('openCallTasks', open.map((t) => ({ id: t.id, text: t.text, entity, completeTill: t.complete_till })));
  }

  async addTask(task: KommoTaskBody): Promise<number> {
    this.begin('addTask', [task]);
    this.nextId += 1;
    this.tasks.push({ ...task, id: this.nextId, completed: false });
    return this.end('addTask', this.nextId);
  }

  async completeTasks(ids: readonly number[], resultText: string): Promise<void> {
    this.begin('completeTasks', [ids, resultText]);
    for (const task of this.tasks) {
      if (ids.includes(task.id)) {
        task.completed = true;
        task.result = resultText;
      }
    }
    return this.end('completeTasks', undefined);
  }
}
