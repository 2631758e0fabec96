import { formatInstant } from '../../format';
import type { SavedRequest } from './saved';

export interface SavedNotice {
  tone: 'success' | 'error' | 'info';
  text: string;
}

/** Saving the current request under a name, and the saved ones to load or delete. */
export function SavedRequests({
  list,
  name,
  placeholder,
  notice,
  onNameChange,
  onSave,
  onLoad,
  onDelete,
}: {
  list: SavedRequest[];
  name: string;
  placeholder: string;
  notice: SavedNotice | null;
  onNameChange: (name: string) => void;
  onSave: () => void;
  onLoad: (request: SavedRequest) => void;
  onDelete: (request: SavedRequest) => void;
}) {
  return (
    <section className="card" aria-labelledby="playground-saved-title">
      <h2 id="playground-saved-title">Saved requests</h2>
      <p className="field-hint">
        Kept in this browser (local storage) for reuse: endpoint, parameters and body. A key is never saved; key-like values are removed.
      </p>
      <div className="row">
        <div>
          <label htmlFor="playground-request-name">Request name</label>
          <input
            id="playground-request-name"
            type="text"
            value={name}
            placeholder={placeholder}
            maxLength={120}
            autoComplete="off"
            onChange={(e) => onNameChange(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                onSave();
              }
            }}
          />
        </div>
        <button type="button" className="shrink" onClick={onSave}>
          Save request
        </button>
      </div>
      {notice && (
        <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}
        </div>
      )}
      {list.length === 0 && <p className="muted">No saved requests yet.</p>}
      <ul className="pg-saved-list" aria-label="Saved requests">
        {list.map((r) => (
          <li key={r.id}>
            <span className="pg-saved-text">
              <span className="pg-saved-name">{r.name}</span>
              <span className="pg-saved-sub">
                <code>
                  {r.method} {r.path}
                </code>{' '}
                · saved {formatInstant(r.savedAt)}
              </span>
            </span>
            <button type="button" onClick={() => onLoad(r)} aria-label={`Load ${r.name}`}>
              Load
            </button>
            <button type="button" onClick={() => onDelete(r)} aria-label={`Delete ${r.name}`}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
