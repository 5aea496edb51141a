// Turns the import form's fields into a `history.import` request. Time zone, bar stamp and column
// names describe a generic CSV only; the vendor formats fix them, so they are not sent for those.
// The file comes from `history.chooseImportFile`: the system dialog in the desktop app, the import
// folder's listing headless (the engine reads no other path).
import type { RequestOf, ResponseOf } from '../../shared/contract';

export type ImportRequest = RequestOf<'history.import'>;
export type ImportFormat = ImportRequest['format'];
export type BarStamp = NonNullable<ImportRequest['stamp']>;
export type ColumnName = keyof NonNullable<ImportRequest['columns']>;

export const IMPORT_COLUMNS: readonly ColumnName[] = ['time', 'open', 'high', 'low', 'close', 'volume'];

export interface ImportFormFields {
  path: string;
  format: ImportFormat;
  symbol: string;
  timeZone: string;
  stamp: BarStamp;
  /** Header names per field; blank means "find it by its usual name". */
  columns: Readonly<Record<ColumnName, string>>;
}

export function importRequest(form: ImportFormFields): ImportRequest {
  const request: ImportRequest = {
    path: form.path.trim(),
    format: form.format,
    symbol: form.symbol.trim().toUpperCase(),
  };
  if (form.format !== 'csv') return request;
  const columns: Partial<Record<ColumnName, string>> = {};
  for (const c of IMPORT_COLUMNS) {
    const name = form.columns[c].trim();
    if (name !== '') columns[c] = name;
  }
  return {
    ...request,
    timeZone: form.timeZone.trim() || 'UTC',
    stamp: form.stamp,
    ...(Object.keys(columns).length > 0 ? { columns } : {}),
  };
}

export type ImportFileChoice = ResponseOf<'history.chooseImportFile'>;
export type ImportableFile = Extract<ImportFileChoice, { kind: 'folder' }>['files'][number];

/** What the form shows after "Choose file…": the path to import, or the folder's files to pick from. */
export interface ChoiceView {
  /** The path to put in the form (null: keep what is there). */
  path: string | null;
  /** The import folder's files (headless engine), or null when a file was picked in the system dialog. */
  files: readonly ImportableFile[] | null;
  /** A line for the trader (which folder, or that it is empty). */
  note: string | null;
}

export function choiceView(choice: ImportFileChoice): ChoiceView {
  switch (choice.kind) {
    case 'chosen':
      return { path: choice.path, files: null, note: null };
    case 'canceled':
      return { path: null, files: null, note: null };
    case 'folder':
      return choice.files.length === 0
        ? { path: null, files: [], note: `The import folder ${choice.folder} holds no files: copy history files there (TRADING_IMPORT_DIR), then choose again.` }
        : { path: choice.files.length === 1 ? choice.files[0]!.path : null, files: choice.files, note: `Files in the import folder ${choice.folder}` };
  }
}
