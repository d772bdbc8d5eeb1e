import { MetadataError } from '../errors';

const EXPECTED =
  'PromQL label matchers such as gpu="0",namespace="ml",pod=~"vllm-.*" (name, one of = != =~ !~, a double-quoted value)';

/**
 * Validates `selector` token by token and returns it in canonical form. Anything that is not a plain
 * label matcher (braces, operators, functions, a second selector) is refused, so a selector can never
 * change the shape of the query it is spliced into.
 */
export function parseLabelSelector(key: string, raw: string): string {
  const matchers: string[] = [];
  let rest = raw.trim();
  if (rest.startsWith('{') && rest.endsWith('}')) rest = rest.slice(1, -1).trim();
  while (rest !== '') {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\\n\r]|\\["\\nrt])*)"\s*(,\s*)?/.exec(
      rest,
    );
    if (!match) throw new MetadataError(key, raw, EXPECTED);
    matchers.push(`${match[1]}${match[2]}"${match[3]}"`);
    rest = rest.slice(match[0].length);
    if (rest !== '' && match[4] === undefined) throw new MetadataError(key, raw, EXPECTED);
  }
  if (matchers.length > 20) throw new MetadataError(key, raw, 'at most 20 label matchers');
  return matchers.join(',');
}
