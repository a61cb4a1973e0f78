/** Cross-tab coordination: one leader per browser profile and Kommo account+user. */
export type TabRole = { role: 'alone' } | { role: 'leader' } | { role: 'follower'; leaderId: string | null };
