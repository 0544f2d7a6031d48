/**
 * The simulator's view of the admin API: one call with the admin token, answering status, parsed
 * JSON and raw text. The bulk import needs nothing more, and the benchmarks' hubs hand out the same.
 */

/** An admin API answer. */
export interface AdminAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
  text: string;
}

/** Calls the admin API; `tether sim`, `tether dev --demo` and the benchmarks' hubs all provide one. */
export type AdminCall = (method: string, path: string, body?: unknown) => Promise<AdminAnswer>;

/** An admin API call with the given token against `hubUrl`. */
export function adminCaller(hubUrl: string, token: string): AdminCall {
  return async (method: string, path: string, body?: unknown): Promise<AdminAnswer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'user-agent': 'tether-sim' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${hubUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  };
}
