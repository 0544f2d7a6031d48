// shared/labels.ts measures annotation sizes with Buffer.byteLength inside a zod refinement. The
// console only parses and matches selectors, which never reach that code, so the browser needs no
// Buffer; this declaration only lets the type-checker follow the import.
declare const Buffer: { byteLength(text: string): number };
