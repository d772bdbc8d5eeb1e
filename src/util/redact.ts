/** A run of characters a URL may span: redaction looks for user info within one run. */
const URL_RUN = /[^\s"'<>]+/g;

/**
 * The header name, then `:` or `=` (optionally quoted, as in JSON), then an optional scheme and the
 * credentials. The scheme stays: it tells a reader which kind of credential was refused. Redacting twice
 * changes nothing, so text may pass through here more than once on its way out.
 */
const AUTHORIZATION =
  /\b((?:proxy-)?authorization|cookie)(["']?\s*[:=]\s*["']?)(?:(bearer|basic|digest|negotiate|token|apikey)\s+)?[^\s"',;]+/gi;

/**
 * `Bearer` followed by token68 characters (RFC 7235), unless it is a word of a sentence about the scheme
 * (`bearer token refused`). `*` is not a token68 character, so `Bearer ***` stays as it is.
 */
const BEARER =
  /\b(bearer\s+)(?!(?:tokens?|auth|authentication|authorization|scheme|credentials?|header)(?:[\s),;:]|$))[A-Za-z0-9._~+/-]+=*/gi;

/**
 * A parameter starts a text or follows `?`, `&`, `;`, `,`, a quote, a brace or whitespace: not a match
 * inside a longer word. `name=value` as in query strings and customHeaders, or `"name":"value"` as in a
 * JSON body an upstream echoed. Its value runs to the next separator. `=~` is a PromQL matcher, not a
 * value: a query shown on /v1/workloads stays readable. Whether the name is a secret's is decided apart
 * (SECRET_NAME): one pattern with the keyword between two open-ended name parts would backtrack
 * quadratically on a long name.
 */
const PARAMETER = /(^|[?&;,\s"'{(])([\w.-]+)(\s*=\s*|["']\s*:\s*["'])(?!~)[^&\s"',;#<>)}]+/gi;
const SECRET_NAME = /token|secret|passw(?:or)?d|pwd|api[_-]?key|signature|credential|session[_-]?id/i;

/**
 * Credentials out of any text a person or another program may see: logs, gRPC error details, the HTTP
 * API's JSON and the status page. The one implementation for the whole scaler, so every place that shows
 * a message hides the same things.
 *
 * What goes:
 * - user info of a URL (`amqp://user:pass@host` → `amqp://***@host`), everything up to the last `@`: a
 *   password may itself hold `@` or `/` when it was not percent-encoded;
 * - the credentials of an `Authorization` (or `Proxy-Authorization`) header or `Cookie`, whether written
 *   with `:` or `=`, with or without its scheme;
 * - a bearer token anywhere (`Bearer eyJ…`): an upstream may echo the header without its name;
 * - the value of a query or `name=value` parameter whose name says it is a secret (`token`,
 *   `access_token`, `api_key`, `X-Api-Key`, `password`, `client_secret`, `X-Amz-Signature`, …).
 */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_RUN, redactUserInfo)
    .replace(AUTHORIZATION, (_match, name: string, separator: string, scheme: string | undefined) =>
      scheme === undefined ? `${name}${separator}***` : `${name}${separator}${scheme} ***`,
    )
    .replace(BEARER, '$1***')
    .replace(PARAMETER, (match, before: string, name: string, separator: string) =>
      SECRET_NAME.test(name) ? `${before}${name}${separator}***` : match,
    );
}

/**
 * From the first `//` of a run to its last `@`, as `(\/\/)[^\s"'<>]*@` would match, but in one pass: that
 * pattern rescans the rest of the run from every `//`, and a long run of slashes (a request path, a
 * metadata value echoed in an error) would cost seconds.
 */
function redactUserInfo(run: string): string {
  const start = run.indexOf('//');
  if (start < 0) return run;
  const at = run.lastIndexOf('@');
  return at > start + 1 ? `${run.slice(0, start)}//***@${run.slice(at + 1)}` : run;
}
