/**
 * The fixture CRM's in-memory account: just what Kommo's phone search looks at.
 * Times are Unix seconds, like Kommo's `created_at`.
 */
export interface CrmPerson {
  id: number;
  name: string;
  /** As typed in the card, any format; matching uses the last 7 (by_phone) or 8 (events) digits. */
  phones: string[];
  createdAt: number;
  responsibleUserId: number;
}

/** A lead (`active: false` once won or lost) or a customer, linked to contacts and companies. */
export interface CrmDeal {
  id: number;
  /** Kommo allows an empty name; the widget shows "Lead #ID" / "Customer #ID". */
  name: string;
  active: boolean;
  contactIds: number[];
  companyIds: number[];
  createdAt: number;
  responsibleUserId: number;
}

/** A user of the account (GET /api/v4/users). */
export interface CrmUser {
  id: number;
  name: string;
  email: string;
}

export interface CrmAccount {
  /** Absent: the seed's users (v4-users.ts). */
  users?: CrmUser[];
  contacts: CrmPerson[];
  companies: CrmPerson[];
  leads: CrmDeal[];
  customers: CrmDeal[];
}

/** Kommo's element types (https://developers.kommo.com/docs/caller-id). */
export const ELEMENT_TYPE = { contact: 1, lead: 2, company: 3, customer: 12 } as const;
