/**
 * A result's image, found in the dataset folder the user picked: a file by its relative path, or
 * a base64 cell of a parquet file (HR-Bench, MME-RealWorld), read with hyparquet, only that row.
 */
import type { ImageRef } from '../eval/samples';
import type { DatasetFolder } from './resultsStore';

export class MissingImageError extends Error {}

type AsyncBuffer = { byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> };

const buffers = new WeakMap<File, AsyncBuffer>();

function fileBuffer(file: File): AsyncBuffer {
  let buffer = buffers.get(file);
  if (!buffer) buffers.set(file, (buffer = { byteLength: file.size, slice: (start, end) => file.slice(start, end).arrayBuffer() }));
  return buffer;
}

function lookup(folder: DatasetFolder, relative: string): File {
  const file = folder.files.get(relative.replace(/^\.\//, ''));
  if (!file) throw new MissingImageError(`${relative} is not in the folder "${folder.name}": open the dataset's own folder (the one the results' image paths start from)`);
  return file;
}

/** A stable key for caching a result's image. */
export const imageKey = (ref: ImageRef): string => (ref.kind === 'file' ? ref.path : `${ref.file}#${ref.row}`);

/** The encoded image of `ref` in `folder`. */
export async function imageBlob(folder: DatasetFolder, ref: ImageRef): Promise<Blob> {
  if (ref.kind === 'file') return lookup(folder, ref.path);
  const file = lookup(folder, ref.file);
  const { parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const [row] = await parquetReadObjects({ file: fileBuffer(file), columns: [ref.column], rowStart: ref.row, rowEnd: ref.row + 1, compressors });
  const cell: unknown = row?.[ref.column];
  if (typeof cell === 'string') return new Blob([Uint8Array.from(atob(cell), (c) => c.charCodeAt(0))]);
  if (cell instanceof Uint8Array) return new Blob([new Uint8Array(cell)]);
  throw new MissingImageError(`${ref.file} row ${ref.row} has no image in "${ref.column}"`);
}
