// Where the lines on their way to `logto` files wait: fixed pages, reused, never a Buffer per
// read. A burst of output used to leave the emperor tens of MB bigger for good (issue 18): every
// pipe read made a fresh 16-64 KiB buffer, and glibc keeps the memory of such freed blocks in
// its own free lists instead of giving it back. Pages of PAGE_BYTES are taken from a free list
// and go back to it once every line copied into them is written, so a burst costs the pages it
// keeps in flight (the files' high-water marks), and those are used again by the next one.
const PAGE_BYTES = 256 * 1024;
/** Free pages kept for the next burst; more are left to the garbage collector. */
const FREE_PAGES_KEPT = 16;

export class LogPage {
  readonly buf: Buffer;
  used = 0;
  /** Queued lines still in this page (each a view of it). */
  refs = 0;

  constructor(bytes: number) {
    this.buf = Buffer.allocUnsafeSlow(bytes);
  }
}

/** Bytes queued in a page: `view` is valid until `release`. */
export interface PagedBytes {
  readonly view: Buffer;
  readonly page: LogPage;
}

const free: LogPage[] = [];
let current: LogPage | null = null;

// Room for `bytes` more in the page being filled (a fresh one when it is full).
function pageWithRoom(bytes: number): LogPage {
  if (bytes > PAGE_BYTES) return new LogPage(bytes); // a line longer than a page: its own, not kept
  if (current && current.buf.length - current.used >= bytes) return current;
  if (current && current.refs === 0) recycle(current);
  current = free.pop() ?? new LogPage(PAGE_BYTES);
  return current;
}

function recycle(page: LogPage): void {
  page.used = 0;
  if (page.buf.length === PAGE_BYTES && free.length < FREE_PAGES_KEPT && !free.includes(page)) free.push(page);
}

/** Copies `data` into a page; with `prefix`, puts it before every line of `data` (whole lines). */
export function pageCopy(data: Buffer, prefix: Buffer | null = null): PagedBytes {
  const lines = prefix === null ? 0 : countNewlines(data);
  const bytes = data.length + lines * (prefix?.length ?? 0);
  const page = pageWithRoom(bytes);
  const start = page.used;
  if (prefix === null) {
    data.copy(page.buf, start);
  } else {
    let at = start;
    let from = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
      at += prefix.copy(page.buf, at);
      at += data.copy(page.buf, at, from, nl + 1);
      from = nl + 1;
    }
  }
  page.used += bytes;
  page.refs++;
  return { view: page.buf.subarray(start, start + bytes), page };
}

/** A second view of paged bytes (a queued entry split in two): released once more. */
export function pageShare(page: LogPage): void {
  page.refs++;
}

/** The bytes are written (or dropped): their page is used again once nothing else is in it. */
export function pageRelease(page: LogPage): void {
  page.refs--;
  if (page.refs > 0) return;
  if (page === current) page.used = 0; // empty again: filled from its start
  else recycle(page);
}

/** How many pages wait for reuse (for tests). */
export function freePages(): number {
  return free.length;
}

function countNewlines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) n++;
  return n;
}
