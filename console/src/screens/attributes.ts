/**
 * Keycloak's AttributesForm (components/key-value-form): Key / Value rows, "Add an attribute",
 * a row's remove button, Save and Revert. Multi-valued attributes (`Record<string, string[]>`)
 * show one row per value, as Keycloak's form does; a key sent back twice is one key with both values.
 */
import { h, replace, textInput } from '../dom.js';

export function attributesForm(container: HTMLElement, initial: unknown, options: { readOnly: boolean; onSave: (attributes: Record<string, string[]>) => void }): void {
  const rows = h('tbody', {});
  const addRow = (key: string, value: string) => {
    const keyInput = textInput(key, { readOnly: options.readOnly, label: 'Key' });
    const valueInput = textInput(value, { readOnly: options.readOnly, label: 'Value' });
    const row = h(
      'tr',
      {},
      h('td', { 'data-label': 'Key' }, keyInput),
      h('td', { 'data-label': 'Value' }, valueInput),
      h('td', {}, options.readOnly ? null : h('button', { type: 'button', class: 'plain', 'aria-label': 'Remove attribute', onclick: () => row.remove() }, '−')),
    );
    rows.appendChild(row);
    keyInput.focus();
  };
  for (const [key, values] of entriesOf(initial)) for (const value of values) addRow(key, value);
  if (rows.children.length === 0 && !options.readOnly) addRow('', '');
  const collect = () => {
    // A null-prototype map: an attribute key is data, never a property of Object.
    const attributes = Object.create(null) as Record<string, string[]>;
    for (const row of rows.querySelectorAll('tr')) {
      const [key, value] = [...row.querySelectorAll('input')].map((input) => input.value.trim());
      if (!key) continue;
      (attributes[key] ??= []).push(value ?? '');
    }
    return attributes;
  };
  const form = h(
    'form',
    { class: 'section', novalidate: true },
    h('table', { 'aria-label': 'Attributes' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Actions'))), rows),
    options.readOnly ? null : h('button', { type: 'button', class: 'link', onclick: () => addRow('', '') }, 'Add an attribute'),
    options.readOnly
      ? null
      : h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save'), h('button', { type: 'button', class: 'link', onclick: () => attributesForm(container, initial, options) }, 'Revert')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    options.onSave(collect());
  });
  replace(container, form);
}

function entriesOf(value: unknown): [string, string[]][] {
  if (!value || typeof value !== 'object') return [];
  // By key: the store keeps no order, so the rows would otherwise move between reads.
  return Object.entries(value)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, values]) => [key, Array.isArray(values) ? values.map(String) : [String(values)]]);
}
