/**
 * An anomaly's case (issue 17, item 3; README "Anomalies", Assignment): who deals with it and by
 * when, an overdue badge, the comments with who and when, and the forms to assign and to comment.
 * The API records who assigned or commented, and when.
 */
import { failure, field, h } from '../dom.js';
import { t } from '../i18n.js';
import { when } from '../labels.js';
import { assignAnomaly, commentOnAnomaly } from '../queries.js';
import type { Anomaly } from '../types.js';

/** The overdue badge, or nothing. */
export function overdueBadge(a: Anomaly): HTMLElement | null {
  return a.overdue ? h('span', { class: 'badge badge-overdue', 'data-overdue': '' }, t('overdue')) : null;
}

/** The assignment line: assignee, due date, and who assigned it when. */
function assignmentLine(a: Anomaly): HTMLElement | null {
  if (a.assignee === null) return null;
  const due = a.dueDate === null ? '' : ` · ${t('dueDate')} ${a.dueDate}`;
  const by = a.assigned === null ? '' : ` (${a.assigned.by} · ${when(a.assigned.at)})`;
  return h(
    'p',
    { class: 'assignment', 'data-assignee': a.assignee, 'data-due': a.dueDate ?? '' },
    `${t('assignee')}: ${a.assignee}${due}${by}`,
  );
}

/** The comments, oldest first, each with who wrote it and when. */
function commentList(a: Anomaly): HTMLElement {
  if (a.comments.length === 0) return h('p', { class: 'muted' }, t('noComments'));
  return h(
    'ol',
    { class: 'comments', 'data-comments': a.comments.length },
    ...a.comments.map((c) =>
      h('li', { 'data-by': c.by, 'data-at': c.at }, h('span', { class: 'muted' }, `${c.by} · ${when(c.at)}: `), c.text),
    ),
  );
}

/** A small form: its fields, a button, and its error in place; `action` then `refresh` on success. */
function miniForm(
  name: string,
  fields: HTMLElement[],
  button: string,
  action: () => Promise<unknown>,
  refresh: () => void,
): HTMLElement {
  const message = h('div', {});
  const form = h(
    'form',
    { class: 'actions', [`data-${name}`]: '' },
    ...fields,
    h('button', { type: 'submit', 'data-action': name }, button),
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void action().then(refresh, (error: unknown) => message.replaceChildren(failure(error)));
  });
  return form;
}

/** The datalist of known usernames the assignee fields suggest (filled by the anomalies page). */
export const ASSIGNEES_LIST_ID = 'anomaly-assignees';

/**
 * The case of an anomaly: the assignment line, then comments and the forms folded under one
 * summary (open when there are comments), so that a long list stays readable. A resolved anomaly
 * takes comments only. The assignee field suggests the users the reader may list (free text stays
 * allowed: a contractor may have no account).
 */
export function anomalyCase(a: Anomaly, canAct: boolean, refresh: () => void): HTMLElement {
  const assignee = h('input', {
    type: 'text',
    name: 'assignee',
    value: a.assignee ?? '',
    maxlength: 100,
    list: ASSIGNEES_LIST_ID,
    autocomplete: 'off',
  });
  const due = h('input', { type: 'date', name: 'dueDate', value: a.dueDate ?? '' });
  const text = h('input', { type: 'text', name: 'commentText', maxlength: 2000, required: true });
  const summary = canAct
    ? `${t('comments')} (${a.comments.length}) · ${t('assign')}`
    : `${t('comments')} (${a.comments.length})`;
  return h(
    'div',
    { class: 'case' },
    assignmentLine(a),
    h(
      'details',
      { 'data-case': '', open: a.comments.length > 0 },
      h('summary', {}, summary),
      commentList(a),
      canAct
        ? miniForm(
            'comment',
            [field(t('comments'), text)],
            t('addComment'),
            () => commentOnAnomaly(a.id, text.value),
            refresh,
          )
        : null,
      canAct && a.status !== 'resolved'
        ? miniForm(
            'assign',
            [field(t('assignee'), assignee), field(t('dueDate'), due)],
            t('assign'),
            () => assignAnomaly(a.id, assignee.value.trim(), due.value),
            refresh,
          )
        : null,
    ),
  );
}
