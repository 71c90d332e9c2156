/** Bytes as MB for the UI: two decimals below 10 MB, none above. */
export const mb = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(bytes < 10 * 1024 ** 2 ? 2 : 0)} MB`;
