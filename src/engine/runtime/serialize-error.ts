/**
 * Errors as they cross from the engine to the page, where they are shown:
 * plain data, scrubbed of anything secret a URL carried.
 */

export interface ISerializedError {
  readonly name: string;
  readonly message: string;
}

/**
 * An error as it crosses to the page and is shown there: its message with
 * the query strings, fragments and token-like parameters of any URL removed
 * (a server's download URL carries its `_xsrf` token), and never empty.
 */
export function serializeError(reason: unknown): ISerializedError {
  const name = reason instanceof Error && reason.name ? reason.name : 'Error';
  const raw =
    reason instanceof Error
      ? reason.message
      : typeof reason === 'string'
        ? reason
        : String((reason as { message?: unknown })?.message ?? reason);
  const message = scrubMessage(raw).trim();
  return {
    name,
    message:
      message || `${name}, without a message from the browser or TensorFlow.js.`
  };
}

// key=value pairs whose value is a secret, wherever they appear.
const SECRET_PARAM =
  /\b(_xsrf|xsrf|token|access_token|id_token|auth|authorization|password|passwd|api_key|apikey|key|sig|signature|session|sessionid)=[^\s&"'<>]+/gi;

/**
 * A URL or path (a word with a `/` in it) without its query and fragment;
 * punctuation that ends the sentence after it stays.
 */
function scrubWord(word: string): string {
  const at = word.search(/[?#]/);
  if (at < 0 || !word.slice(0, at).includes('/')) {
    return word;
  }
  const trailing = /[.,:;!)\]]*$/.exec(word.slice(at))?.[0] ?? '';
  return word.slice(0, at) + trailing;
}

/** `text` without query strings and fragments of URLs, or secret parameters. */
export function scrubMessage(text: string): string {
  return text
    .replace(/[^\s"'<>]+/g, scrubWord)
    .replace(SECRET_PARAM, '$1=(removed)');
}
