import { useId } from 'react';
import type { Parameter } from './openapi';

/**
 * One labelled input for a path or query parameter: a select when the schema lists its
 * values (enum, boolean), a text input otherwise; the description and what it takes as a
 * hint; required marked visibly (an asterisk beside the label) and for screen readers (`required`).
 */
export function ParameterField({
  parameter,
  value,
  onChange,
  inputId,
  invalid = false,
}: {
  parameter: Parameter;
  invalid?: boolean;
  value: string;
  onChange: (value: string) => void;
  inputId: string;
}) {
  const hintId = useId();
  const hint = [parameter.description, parameter.hint].filter(Boolean).join(' · ');
  const describedBy = hint ? hintId : undefined;
  return (
    <div>
      {/* the label is the bare name (tests and screen readers find the input by it); the marks sit beside it */}
      <div className="pg-label-line">
        <label htmlFor={inputId}>{parameter.name}</label>
        {parameter.required && (
          <span className="pg-required-mark" aria-hidden="true">
            *
          </span>
        )}
        {parameter.deprecated && <span className="badge badge-warn pg-param-badge">deprecated</span>}
      </div>
      {parameter.options ? (
        <select id={inputId} value={value} onChange={(e) => onChange(e.target.value)} required={parameter.required} aria-describedby={describedBy} aria-invalid={invalid || undefined}>
          {(!parameter.required || !parameter.options.includes(value)) && <option value="">— not set —</option>}
          {parameter.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={inputId}
          type="text"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          required={parameter.required}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          autoComplete="off"
          spellCheck={false}
          inputMode={parameter.schema.type === 'number' || parameter.schema.type === 'integer' ? 'numeric' : undefined}
        />
      )}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
