// ASCII tables like Nodepool's own (+---+ borders, one space of padding), for any columns.
export interface Column {
  header: string;
  /** Numbers read better right-aligned; default left. */
  align?: "left" | "right";
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? "").length)),
  );
  const border = `+${widths.map((width) => "-".repeat(width + 2)).join("+")}+`;
  const line = (cells: readonly string[], aligned: boolean) =>
    `| ${widths
      .map((width, index) => {
        const cell = cells[index] ?? "";
        return aligned && columns[index]?.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(" | ")} |`;
  return [
    border,
    line(
      columns.map((column) => column.header),
      false,
    ),
    border,
    ...rows.map((row) => line(row, true)),
    border,
  ].join("\n");
}
