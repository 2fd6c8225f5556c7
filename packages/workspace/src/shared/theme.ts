import { css } from 'lit';

/**
 * The styles every component shares. Themable from the host page with CSS variables:
 * `--rapport-accent`, `--rapport-surface`, `--rapport-text`, `--rapport-muted`,
 * `--rapport-border`, `--rapport-danger`, `--rapport-warning`, `--rapport-radius`,
 * `--rapport-font`.
 */
export const themeStyles = css`
  :host {
    display: block;
    font-family: var(--rapport-font, system-ui, sans-serif);
    color: var(--rapport-text, #1d2433);
    --_accent: var(--rapport-accent, #2456c9);
    --_surface: var(--rapport-surface, #ffffff);
    --_muted: var(--rapport-muted, #5b6478);
    --_border: var(--rapport-border, #d5dae3);
    --_danger: var(--rapport-danger, #b42318);
    --_warning: var(--rapport-warning, #8a5a00);
    --_radius: var(--rapport-radius, 8px);
    hyphens: auto;
    overflow-wrap: normal;
    word-break: normal;
  }
  button,
  select,
  input,
  textarea {
    font: inherit;
    min-height: 44px;
    min-width: 44px;
    box-sizing: border-box;
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: inherit;
    padding: 0 0.75rem;
  }
  button {
    cursor: pointer;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: #fff;
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  .muted {
    color: var(--_muted);
  }
  .error {
    color: var(--_danger);
  }
  .skeleton {
    display: grid;
    gap: 0.75rem;
  }
  .skeleton span {
    display: block;
    height: 3.5rem;
    border-radius: var(--_radius);
    background: linear-gradient(90deg, #eceff4, #f6f7fa, #eceff4);
    background-size: 200% 100%;
    animation: shimmer 1.2s infinite linear;
  }
  @keyframes shimmer {
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton span {
      animation: none;
    }
  }
  .problem {
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
    padding: 0.75rem 1rem;
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: center;
  }
  .empty {
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    padding: 1.5rem;
    color: var(--_muted);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-size: 0.875rem;
  }
`;
