// The CSP a run report gets inside a webview: no network at all; its inline scripts run only with this load's nonce.

export function reportCsp(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; script-src 'nonce-${nonce}'; connect-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'`;
}

/** Adds the CSP meta tag and the nonce to every script tag of a report page. */
export function prepareReportHtml(html: string, nonce: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${reportCsp(nonce)}">`;
  const withNonce = html.replace(/<script(?![^>]*\bnonce=)/gi, `<script nonce="${nonce}"`);
  return /<head[^>]*>/i.test(withNonce) ? withNonce.replace(/<head[^>]*>/i, (m) => `${m}\n${meta}`) : `${meta}\n${withNonce}`;
}
