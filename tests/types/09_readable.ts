/**
 * Issue 14, item 9: readable types. Unlike the other files, this one does NOT compile, on
 * purpose: each case below is a deliberate error, and `tests/types_check_test.ts` reads the
 * messages. A case passes when its message shows the type as a flat object (the text after
 * `shows:`) and names none of the helper generics (`RowOfColumns<`, `RowOfRecord<`,
 * `InsertOf<`, `InsertRow<`, `UpdateValues<`, `Column<`).
 *
 * Each case is a comment `// [9.n] shows: <text>` and the erroneous line after it.
 */
import { createEngine, insert, select, update } from "../../mod.ts";
import { User } from "./_models.ts";

const engine = createEngine("sqlite::memory:");

// [9.1] shows: { id: number; username: string; }
const rows: number[] = await engine.all(select(User.c.id, User.c.username));

// [9.2] shows: { userId: number; }
const records: number[] = await engine.all(select({ userId: User.c.id }));

// [9.3] shows: { id: number; }
const returned: number[] = await engine.all(
  insert(User).values({ username: "u" }).returning(User.c.id),
);

// [9.4] shows: username: string;
new User({ usernme: "x" });

// [9.5] shows: username: string
insert(User).values({ usernme: "x" });

// [9.6] shows: username?: string
update(User).set({ usernme: "x" });

console.log(rows, records, returned);
