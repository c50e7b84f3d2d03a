/** What an upload's name and declared type become, whoever uploads it (a connection, the server API). */

/** A file's name as kept: path separators and control characters replaced, trimmed, never empty. */
export function fileName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const cleaned = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
}

/** A declared media type as recorded: a plain `type/subtype`, else `application/octet-stream`. */
export function declaredType(mime: string | undefined): string {
  const type = mime?.trim().toLowerCase() ?? '';
  return /^[a-z0-9][a-z0-9.+-]{0,63}\/[a-z0-9][a-z0-9.+-]{0,126}$/.test(type)
    ? type
    : 'application/octet-stream';
}
