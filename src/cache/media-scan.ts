// One listing of the bucket's media for many lookups. Each record the cache finds
// is checked against the bucket: every file it names must be there. Listing each
// original's folder costs one request per original; once many records are being
// found, listing all of `media/` costs one request per 1,000 objects instead (an
// original's outputs are some dozens of files), split by the first hex digit of
// the folders' names so that 16 listings run side by side.
//
// The scan is bounded: a digit whose objects outgrow its share of `maxObjects` (a
// bucket holding far more than this gallery) is given up, and its folders are
// listed one by one as before. What the scan saw is a snapshot: a file it missed
// may have arrived since, so a caller lists the folder itself before it says a
// file is missing.
import type { RemoteObject } from "../deploy/plan.ts";

/** One page of a listing: the objects (keys relative to the cache's prefix) and the token of the next page, if any. */
export interface ListedPage {
  objects: RemoteObject[];
  next?: string;
}

/** Lists one page of the keys below `prefix` (relative to the cache's prefix), from `token`. */
export type ListPage = (prefix: string, token: string | undefined) => Promise<ListedPage>;

const HEX_DIGITS = "0123456789abcdef";

export class MediaScan {
  /** By first hex digit of a folder's name: its folders' objects, or undefined when the digit was given up. */
  private readonly digits = new Map<string, Promise<Map<string, Map<string, RemoteObject>> | undefined>>();

  constructor(
    /** The media folder ("media"), relative to the cache's prefix. */
    private readonly mediaDir: string,
    private readonly listPage: ListPage,
    /** Objects kept at most, over all digits. */
    maxObjects: number,
  ) {
    const share = Math.max(1, Math.floor(maxObjects / HEX_DIGITS.length));
    for (const digit of HEX_DIGITS) {
      const scanned = this.scanDigit(digit, share);
      scanned.catch(() => {}); // a failed digit is listed folder by folder
      this.digits.set(digit, scanned);
    }
  }

  private async scanDigit(digit: string, share: number): Promise<Map<string, Map<string, RemoteObject>> | undefined> {
    const folders = new Map<string, Map<string, RemoteObject>>();
    let kept = 0;
    let token: string | undefined;
    do {
      const page = await this.listPage(`${this.mediaDir}/${digit}`, token);
      for (const object of page.objects) {
        const folder = object.key.split("/", 2).join("/");
        let files = folders.get(folder);
        if (!files) folders.set(folder, (files = new Map()));
        files.set(object.key, object);
      }
      kept += page.objects.length;
      if (kept > share) return undefined;
      token = page.next;
    } while (token);
    return folders;
  }

  /**
   * The objects below a media folder ("media/<hash12>", keys relative to the
   * cache's prefix) as the scan saw them; undefined when the scan does not cover
   * that folder (given up, or its listing failed).
   */
  async folder(folder: string): Promise<Map<string, RemoteObject> | undefined> {
    const digit = folder.slice(this.mediaDir.length + 1, this.mediaDir.length + 2);
    const scanned = await this.digits.get(digit)?.catch(() => undefined);
    return scanned && (scanned.get(folder) ?? new Map());
  }
}
