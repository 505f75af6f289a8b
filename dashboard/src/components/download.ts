/** A text file made in the browser, for {@link downloadText}. */
export interface TextFile {
  name: string;
  /** The media type, e.g. `text/plain;charset=utf-8`. */
  type: string;
  content: string;
}

/**
 * Saves text as a file through the browser's download, from memory (a Blob): nothing is fetched
 * and the text never appears in a URL.
 */
export function downloadText({ name, type, content }: TextFile): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Some browsers start reading the Blob after click() returns: freed later, not at once.
  window.setTimeout(() => URL.revokeObjectURL(url), 40_000);
}
