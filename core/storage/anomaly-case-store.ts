/**
 * Anomaly cases (issue 17, item 3): who deals with an anomaly, by when, and what the officers said
 * about it. A store of its own, one concern, reached as `MetadataStore.anomalyCases` and
 * implemented beside the anomalies by DuckDB (`duckdb/`) and PostgreSQL (`postgres/`); an anomaly
 * read through `MetadataStore.anomalies` carries its case (`assignment`, `comments`).
 */
import type { AnomalyAssignment, AnomalyComment } from '../domain/anomalies.js';

/** The writes of anomaly cases; each call is atomic on its own. */
export interface AnomalyCaseStore {
  /**
   * Replaces the anomaly's assignment whole (a missing `dueDate` clears the due date); false, and
   * nothing changed, when there is no anomaly of this id.
   */
  assign(id: string, assignment: AnomalyAssignment): Promise<boolean>;
  /**
   * Appends a comment after the anomaly's others (comments are never changed or removed); false,
   * and nothing stored, when there is no anomaly of this id.
   */
  addComment(id: string, comment: AnomalyComment): Promise<boolean>;
}
