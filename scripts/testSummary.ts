/**
 * Prints vitest's results as one plain closing line, `tests: N passed, N failed, N skipped`, which CI
 * reads; and the reason of every skipped suite, so a skip is never silent.
 */
import { existsSync, readFileSync } from "node:fs";

interface VitestJson {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: { assertionResults: { fullName: string; status: string }[] }[];
}

const file = process.argv[2] ?? ".test-results.json";
if (!existsSync(file)) {
    console.error(`tests: no results in ${file} (vitest did not finish)`);
    process.exit(1);
}
const results = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
const skipped = results.testResults.flatMap((suite) => suite.assertionResults.filter((test) => test.status === "skipped" || test.status === "pending"));
for (const test of skipped) console.log(`skipped: ${test.fullName}`);
console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`);
