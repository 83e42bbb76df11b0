/**
 * Files in the outbox: content to and from the base64 an outbox row stores. Uses `btoa`/`atob` (no `Buffer`), so
 * it runs wherever an outbox store does, a Convex function included.
 */
import type { OutboundFile, StoredFile } from './ports.ts';

// Chunks keep `String.fromCharCode(...chunk)` under the engine's argument limit.
const CHUNK = 0x8000;

/** Bytes as base64. */
export function encodeFileContent(content: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < content.length; start += CHUNK) {
    binary += String.fromCharCode(...content.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

/** Base64 back to bytes; throws on text that is not base64. */
export function decodeFileContent(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** A file as an outbox row stores it. */
export function storeFile(file: OutboundFile): StoredFile {
  return { filename: file.filename, title: file.title, altText: file.altText, contentBase64: encodeFileContent(file.content) };
}

/** A stored file as a notifier uploads it. */
export function loadFile(file: StoredFile): OutboundFile {
  return { filename: file.filename, title: file.title, altText: file.altText, content: decodeFileContent(file.contentBase64) };
}
