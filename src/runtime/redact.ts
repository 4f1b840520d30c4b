/** A URL without its password (and with any query credentials masked), for messages and logs. */
export function redactUrl(s: string): string {
  try {
    const u = new URL(s);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key|sslpassword/i.test(k)) u.searchParams.set(k, '***');
    }
    return u.toString();
  } catch {
    return s.replace(/:[^:@/]*@/, ':***@');
  }
}
