(* The probes' runtime in oxenstored's coverage build (see xscov_ppx.ml). The first time a process
   passes a probe, its id goes to the file $XSCOV_FILE at once (open, append, close): the record
   survives the SIGKILL that ends a sandbox daemon and the execv of a live update, and never uses a
   descriptor the daemon could close or reuse. *)
let seen : (string, unit) Hashtbl.t = Hashtbl.create 256

let hit id =
  if not (Hashtbl.mem seen id) then begin
    Hashtbl.replace seen id ();
    match Sys.getenv_opt "XSCOV_FILE" with
    | None | Some "" -> ()
    | Some path -> (
        let line = id ^ "\n" in
        try
          let fd = Unix.openfile path [ Unix.O_WRONLY; Unix.O_APPEND; Unix.O_CREAT; Unix.O_CLOEXEC ] 0o644 in
          Fun.protect ~finally:(fun () -> Unix.close fd)
            (fun () -> ignore (Unix.write_substring fd line 0 (String.length line)))
        with Unix.Unix_error _ -> ())
  end
