/** CSV cells for the files operators open in spreadsheets. Pure. */

/**
 * Quotes a cell when it needs it [RFC 4180 2.6–2.7]. Text from devices is untrusted: a cell that
 * would start with = + - @ or a control character is read as a formula by spreadsheet programs,
 * so it gets a leading apostrophe (OWASP, "CSV Injection").
 */
export function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
