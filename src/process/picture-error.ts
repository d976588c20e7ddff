/** A picture that cannot be published, with why (shown as one line naming the file). */
export class PictureError extends Error {
  override name = "PictureError";
}
