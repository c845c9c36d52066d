/** Throws a RangeError unless width and height are positive integers (shared by the division strategies). */
export function checkSize(what: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${what} size ${width}×${height} is not allowed: use positive integer sides`);
  }
}
