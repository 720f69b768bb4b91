/**
 * The few DOM building blocks the screens share: an element builder, alerts, confirmation
 * dialogs, switches, form groups, tabs and tables. Native elements first (button, input, select,
 * dialog, table) so keyboard use and accessible names come from the browser; text always goes in
 * as text nodes, never as HTML, so no value from the API becomes markup.
 */
type Child = Node | string | number | false | null | undefined;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children.flat());
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let uid = 0;
export const nextId = (prefix: string) => `${prefix}-${++uid}`;

/** Keycloak's top-right alerts: newest first, closable, gone after 8 s (ui-shared alerts/Alerts.tsx). */
export function alert(variant: 'success' | 'danger' | 'warning' | 'info', title: string, description?: string): void {
  let region = document.getElementById('alerts');
  if (!region) {
    region = h('ul', { id: 'alerts', class: 'alerts', 'aria-live': 'polite', 'aria-label': 'Alerts' });
    document.body.appendChild(region);
  }
  const item = h(
    'li',
    {},
    h(
      'div',
      { class: `alert alert-${variant}`, role: variant === 'danger' ? 'alert' : 'status' },
      h('p', { class: 'alert-title' }, title),
      description ? h('p', { class: 'alert-description' }, description) : null,
      h('button', { type: 'button', class: 'plain', 'aria-label': `Close ${variant} alert: ${title}`, onclick: () => item.remove() }, '×'),
    ),
  );
  region.prepend(item);
  setTimeout(() => item.remove(), 8000);
}

/** A modal dialog on the native `<dialog>`: focus is trapped and Escape closes it. */
export function modal(title: string, body: Child[], actions: (close: () => void) => HTMLElement[], options: { large?: boolean } = {}): { dialog: HTMLDialogElement; close: () => void } {
  const titleId = nextId('dialog-title');
  const dialog = h('dialog', { class: options.large ? 'modal large' : 'modal', 'aria-labelledby': titleId });
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  append(dialog, [
    h('header', {}, h('h2', { id: titleId }, title), h('button', { type: 'button', class: 'plain', 'aria-label': 'Close', onclick: close }, '×')),
    h('div', { class: 'modal-body' }, ...body),
    h('footer', {}, ...actions(close)),
  ]);
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, close };
}

/** Keycloak's ConfirmDialog: a title, one sentence, a confirm button and Cancel; it closes at once and the action runs after. */
export function confirmDialog(options: { title: string; message: string; confirm: string; cancel?: string; danger?: boolean; onConfirm: () => void | Promise<void> }): void {
  modal(options.title, [h('p', {}, options.message)], (close) => [
    h('button', { type: 'button', class: options.danger ? 'danger' : 'primary', onclick: () => { close(); void options.onConfirm(); } }, options.confirm),
    h('button', { type: 'button', class: 'link', onclick: close }, options.cancel ?? 'Cancel'),
  ]);
}

/** An On/Off switch (PatternFly's Switch): a checkbox with `role=switch`, its label as accessible name. */
export function switchControl(label: string, checked: boolean, options: { disabled?: boolean; onLabel?: string; offLabel?: string; onchange?: (checked: boolean) => void } = {}): HTMLInputElement {
  const input = h('input', { type: 'checkbox', role: 'switch', 'aria-label': label, checked, disabled: options.disabled });
  const state = h('span', { class: 'switch-state', 'aria-hidden': 'true' }, checked ? options.onLabel ?? 'On' : options.offLabel ?? 'Off');
  input.addEventListener('change', () => {
    state.textContent = input.checked ? options.onLabel ?? 'On' : options.offLabel ?? 'Off';
    options.onchange?.(input.checked);
  });
  (input as HTMLInputElement & { view?: HTMLElement }).view = h('label', { class: 'switch' }, input, h('span', { class: 'switch-toggle', 'aria-hidden': 'true' }), state);
  return input;
}

export const switchView = (input: HTMLInputElement) => (input as HTMLInputElement & { view?: HTMLElement }).view ?? input;

/** A horizontal form row: label, help popover ("More help for '{label}'"), control. */
export function formGroup(label: string, control: HTMLElement, help?: string, options: { required?: boolean } = {}): HTMLElement {
  const id = control.id || nextId('field');
  const target = control.matches('input, select, textarea') ? control : control.querySelector('input, select, textarea');
  if (target && !target.id) target.id = id;
  const helpId = nextId('help');
  return h(
    'div',
    { class: 'form-group' },
    h(
      'div',
      { class: 'form-label' },
      target && target.getAttribute('role') !== 'switch' ? h('label', { for: target.id }, label, options.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null) : h('span', {}, label),
      help
        ? h('button', { type: 'button', class: 'help', 'aria-label': `More help for '${label}'`, 'aria-expanded': 'false', 'aria-controls': helpId, onclick: (event: Event) => toggleHelp(event, helpId) }, '?')
        : null,
      help ? h('p', { id: helpId, class: 'help-text', hidden: true }, help) : null,
    ),
    h('div', { class: 'form-control' }, control.tagName === 'INPUT' && control.getAttribute('role') === 'switch' ? switchView(control as HTMLInputElement) : control),
  );
}

function toggleHelp(event: Event, id: string): void {
  const button = event.currentTarget as HTMLButtonElement;
  const text = document.getElementById(id)!;
  text.hidden = !text.hidden;
  button.setAttribute('aria-expanded', String(!text.hidden));
}

/** A text input; `readOnly` renders the value for a caller without the right to change it. */
export function textInput(value: string, options: { type?: string; readOnly?: boolean; required?: boolean; maxLength?: number; placeholder?: string; label?: string } = {}): HTMLInputElement {
  return h('input', {
    type: options.type ?? 'text',
    value,
    readonly: options.readOnly,
    required: options.required,
    maxlength: options.maxLength,
    placeholder: options.placeholder,
    'aria-label': options.label,
  });
}

export function select(options: readonly (readonly [string, string])[], value: string, attrs: Attrs = {}): HTMLSelectElement {
  const element = h('select', attrs, ...options.map(([optionValue, label]) => h('option', { value: optionValue, selected: optionValue === value }, label)));
  element.value = value;
  return element;
}

/** Routed tabs (Keycloak's RoutableTabs): links with `role=tab`, the current one `aria-selected`. */
export function tabs(label: string, items: readonly { title: string; href: string; current: boolean }[]): HTMLElement {
  return h(
    'nav',
    { class: 'tabs', 'aria-label': label },
    h('ul', { role: 'tablist' }, ...items.map((item) => h('li', { role: 'presentation' }, h('a', { role: 'tab', href: item.href, 'aria-selected': String(item.current), class: item.current ? 'current' : undefined }, item.title)))),
  );
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Child | Child[];
}

/** A compact table (KeycloakDataTable) with an `aria-label`, its empty state when there are no rows. */
export function table<T>(label: string, columns: readonly Column<T>[], rows: readonly T[], empty: { title: string; message: string; action?: HTMLElement }): HTMLElement {
  if (rows.length === 0) return h('div', { class: 'empty-state' }, h('h2', {}, empty.title), h('p', {}, empty.message), empty.action ?? null);
  return h(
    'table',
    { 'aria-label': label },
    h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column.title)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...columns.map((column) => h('td', { 'data-label': column.title }, ...[column.cell(row)].flat()))))),
  );
}

/** A row's trailing kebab (aria-label "Kebab toggle") opening a menu of actions. */
export function kebab(items: readonly { label: string; danger?: boolean; onclick: () => void }[]): HTMLElement {
  const menuId = nextId('menu');
  const menu = h('ul', { id: menuId, role: 'menu', class: 'menu', hidden: true });
  const toggle = h('button', { type: 'button', class: 'plain', 'aria-label': 'Kebab toggle', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': menuId }, '⋮');
  const setOpen = (open: boolean) => {
    menu.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) (menu.querySelector('button') as HTMLButtonElement | null)?.focus();
  };
  toggle.addEventListener('click', () => setOpen(menu.hidden));
  for (const item of items) {
    menu.appendChild(h('li', { role: 'none' }, h('button', { type: 'button', role: 'menuitem', class: item.danger ? 'danger-text' : undefined, onclick: () => { setOpen(false); item.onclick(); } }, item.label)));
  }
  menu.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Escape') {
      setOpen(false);
      toggle.focus();
    }
  });
  return h('div', { class: 'dropdown' }, toggle, menu);
}

/** A dropdown button (Keycloak's "Action" and "Assign role" menus). */
export function dropdown(label: string, items: readonly { label: string; danger?: boolean; onclick: () => void }[], options: { primary?: boolean } = {}): HTMLElement {
  const element = kebab(items);
  const toggle = element.querySelector('button')!;
  toggle.textContent = `${label} ▾`;
  toggle.removeAttribute('aria-label');
  toggle.className = options.primary ? 'primary' : 'secondary';
  return element;
}

/** Keycloak's page header: h1, subtitle, and optional controls at the right. */
export function pageHeader(title: string, subtitle?: string, ...controls: Child[]): HTMLElement {
  return h('header', { class: 'page-header' }, h('div', {}, h('h1', {}, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null), h('div', { class: 'page-controls' }, ...controls));
}

export const spinner = () => h('div', { class: 'loading', role: 'progressbar', 'aria-label': 'Loading' }, 'Loading…');

/** The value of a Keycloak attribute map, a null-prototype copy so no key can reach Object's prototype. */
export function attributesOf(value: unknown): Record<string, string> {
  const copy = Object.create(null) as Record<string, string>;
  if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) if (typeof item === 'string') copy[key] = item;
  return copy;
}
