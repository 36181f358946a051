// `{{request.body}}` in a webhook's `signed_payload` stands for the raw bytes of the body: the
// template is cut at each one, the text between is rendered as UTF-8 and the bytes are spliced in
// as received, so a signature over any bytes (not only valid UTF-8) verifies exactly.

const STANDALONE_BODY = /\{\{\s*request\.body\s*\}\}/g;

/** The text around each standalone `{{request.body}}`: n placeholders give n + 1 parts. */
export function splitAtRequestBody(source: string): string[] {
  return source.split(STANDALONE_BODY);
}
