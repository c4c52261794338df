/**
 * Saves a file made on this device. The content goes into a Blob and the link points to its blob: URL,
 * which names the Blob, not its content: nothing of it enters an address (as a data: URL would), a
 * request or a log.
 */
export function downloadFile(content: string, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // Some browsers read the blob after click() returns: give the download time to start.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
