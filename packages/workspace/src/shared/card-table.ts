import { css } from 'lit';

/**
 * Tables that become cards on a phone: below 640 px each row is a card and each cell shows its
 * column's name from `data-label`; links in cells are touch targets of at least 44 px.
 */
export const cardTableStyles = css`
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: start;
    padding: 0.5rem;
    border-bottom: 1px solid var(--_border);
    vertical-align: top;
  }
  /* A link in a cell is a touch target too: 44 px high, like the buttons. */
  td a[href] {
    display: inline-flex;
    align-items: center;
    min-height: 44px;
  }
  th button {
    border: none;
    background: none;
    padding: 0 0.25rem;
    font-weight: 600;
  }
  .pager {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    margin-top: 0.75rem;
    flex-wrap: wrap;
  }
  .filters {
    display: flex;
    gap: 0.75rem;
    flex-wrap: wrap;
    margin-bottom: 0.75rem;
  }
  @media (max-width: 640px) {
    thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    table,
    tbody,
    tr,
    td {
      display: block;
      width: 100%;
      box-sizing: border-box;
    }
    tr {
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      margin-bottom: 0.75rem;
      padding: 0.25rem 0.5rem;
    }
    td {
      border: none;
      display: grid;
      grid-template-columns: minmax(0, 11rem) minmax(0, 1fr);
      gap: 0.5rem;
    }
    tbody th {
      display: block;
      border: none;
      box-sizing: border-box;
      width: 100%;
    }
    td::before {
      content: attr(data-label);
      color: var(--_muted);
      font-size: 0.875rem;
    }
  }
`;
