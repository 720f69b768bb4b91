/**
 * JSON from a request body (the Admin API) or an operator's file (sa-admin import-realm), with a
 * nesting limit. JSON.parse itself takes any depth, but what walks the result afterwards recurses:
 * the DynamoDB marshaller refuses more than 32 levels (a 500 at 40 levels), structuredClone and
 * the recursive readers overflow the stack (RangeError at 20,000). Nothing Keycloak's
 * representations hold nests deeper than about ten levels (a realm export's authentication flows),
 * so 20 leaves room and keeps every stored item under DynamoDB's 32.
 */
export const MAX_JSON_DEPTH = 20;

/** How deeply `text` nests arrays and objects, counted without parsing (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b /* [ */ || char === 0x7b /* { */) deepest = Math.max(deepest, ++depth);
    else if (char === 0x5d /* ] */ || char === 0x7d /* } */) depth--;
  }
  return deepest;
}

/** Why `text` is too deep to accept, or undefined. */
export function jsonDepthProblem(text: string, limit = MAX_JSON_DEPTH): string | undefined {
  return jsonDepth(text) > limit ? `nests arrays and objects more than ${limit} levels deep` : undefined;
}
