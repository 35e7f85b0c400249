/**
 * The PMTiles archive the analyst chose for the base map, kept in this browser's IndexedDB (a
 * File is a Blob, which IndexedDB stores as it is, so the archive survives a reload without being
 * read into memory). One archive at a time; nothing leaves the browser.
 */

const DB = 'patrolcast';
const STORE = 'basemap';
const KEY = 'archive';

/** The archive kept: its file name, size in bytes and contents. */
export interface StoredArchive {
  readonly name: string;
  readonly bytes: number;
  readonly blob: Blob;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      reject(new Error(`the browser's storage (IndexedDB) could not be opened: ${request.error?.message ?? 'unknown error'}`));
  });
}

async function transact<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const request = run(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result as T);
      transaction.onerror = () =>
        reject(new Error(`the browser's storage (IndexedDB) failed: ${transaction.error?.message ?? 'unknown error'}`));
    });
  } finally {
    db.close();
  }
}

/** The archive kept, or null. @throws Error when IndexedDB fails */
export async function loadArchive(): Promise<StoredArchive | null> {
  const value = await transact<StoredArchive | undefined>('readonly', (store) => store.get(KEY));
  return value && value.blob instanceof Blob ? value : null;
}

/** Keeps `file` as the archive (replacing any other). @throws Error when IndexedDB fails (e.g. the storage is full) */
export async function saveArchive(file: File): Promise<void> {
  const value: StoredArchive = { name: file.name, bytes: file.size, blob: file };
  await transact('readwrite', (store) => store.put(value, KEY));
}

/** Forgets the archive. */
export async function forgetArchive(): Promise<void> {
  await transact('readwrite', (store) => store.delete(KEY));
}
