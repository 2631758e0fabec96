import { cloneElement, useId, type InputHTMLAttributes, type ReactElement, type ReactNode } from 'react';

/**
 * A labelled form control with its hint and its error, tied to it for assistive technology:
 * the control gets the id, `aria-describedby` (hint, error) and `aria-invalid`; the error is
 * announced (role="alert") and names the field ("Name: is required").
 */
export function Field({
  label,
  error,
  hint,
  id: givenId,
  className,
  children,
}: {
  label: string;
  error?: string | null;
  hint?: ReactNode;
  id?: string;
  className?: string;
  children: ReactElement<InputHTMLAttributes<HTMLElement>>;
}) {
  const ownId = useId();
  const id = givenId ?? ownId;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, 'aria-describedby': described, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {label}: {error}
        </p>
      )}
    </div>
  );
}
