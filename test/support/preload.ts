// bunfig.toml preloads this into every `bun test` run: after the last test, the temporary
// directories the tests made are removed (bun test runs no "exit" handlers).
import { afterAll } from "bun:test";
import { removeTemporary } from "./temporary.ts";

afterAll(removeTemporary);
