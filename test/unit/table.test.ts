import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderTable } from "../../src/cli/table.js";

describe("renderTable", () => {
  it("draws Nodepool's +---+ table, each column as wide as its widest cell", () => {
    const text = renderTable(
      [{ header: "ID" }, { header: "Provider" }, { header: "Age (hours)", align: "right" }],
      [
        ["168655", "hpcloud-az2", "26.83"],
        ["168696", "hpcloud-az2-long-name", "0.75"],
      ],
    );
    assert.equal(
      text,
      [
        "+--------+-----------------------+-------------+",
        "| ID     | Provider              | Age (hours) |",
        "+--------+-----------------------+-------------+",
        "| 168655 | hpcloud-az2           |       26.83 |",
        "| 168696 | hpcloud-az2-long-name |        0.75 |",
        "+--------+-----------------------+-------------+",
      ].join("\n"),
    );
  });

  it("draws the header alone when there are no rows", () => {
    assert.equal(renderTable([{ header: "A" }], []), "+---+\n| A |\n+---+\n+---+");
  });
});
