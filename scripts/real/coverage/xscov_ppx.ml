(* A -ppx rewriter for oxenstored's coverage build (scripts/real-build.sh --coverage): it puts a probe,
   (Xscov.hit "FILE:LINE:COL"; e), in front of every point of control flow inside the selected
   top-level bindings and modules of a file: each function body, each case of a match, function or
   try, each branch of an if, each loop body, and what follows each ";" and each "let ... in".
   Everything else is left as the parser gave it. The points file gets one line per probe,
   "P ID KIND OWNER", and one per selected binding, "F OWNER FILE FIRST-LINE LAST-LINE" (tabs between):
   the denominator of the coverage figure and what scripts/real/coverage/report.py lists. OWNER is
   the binding's name with its modules, e.g. Xenstored.DB.from_channel.

   Usage (ocamlopt appends the input and output files): xscov-ppx SELECT POINTS
   SELECT has lines "FILE NAME": NAME is a top-level let or module of FILE (basename). *)

open Parsetree

let selection file =
  let ic = open_in file in
  let rec read acc =
    match input_line ic with
    | line -> (
        match String.split_on_char ' ' (String.trim line) with
        | [ f; n ] -> read ((f, n) :: acc)
        | _ -> read acc)
    | exception End_of_file -> close_in ic; acc
  in
  read []

let mapper argv =
  let select, points =
    match argv with
    | [ s; p ] -> (selection s, p)
    | _ -> prerr_endline "xscov-ppx: usage: xscov-ppx SELECT POINTS"; exit 2
  in
  let file = Filename.basename !Location.input_name in
  let unit_name = String.capitalize_ascii (Filename.remove_extension file) in
  let wanted name = List.mem (file, name) select in
  let out = open_out_gen [ Open_wronly; Open_append; Open_creat ] 0o644 points in
  at_exit (fun () -> close_out out);
  (* The top-level name (Module.name for a let inside a selected module) of the points being made. *)
  let owner = ref "" in
  let probe kind (e : expression) =
    match e.pexp_desc with
    | Pexp_unreachable -> e
    | _ ->
        let p = e.pexp_loc.Location.loc_start in
        let id = Printf.sprintf "%s:%d:%d" file p.Lexing.pos_lnum (p.Lexing.pos_cnum - p.Lexing.pos_bol) in
        Printf.fprintf out "P\t%s\t%s\t%s\n" id kind !owner;
        let loc = { e.pexp_loc with Location.loc_ghost = true } in
        let hit =
          Ast_helper.Exp.apply ~loc
            (Ast_helper.Exp.ident ~loc { txt = Longident.Ldot (Longident.Lident "Xscov", "hit"); loc })
            [ (Asttypes.Nolabel, Ast_helper.Exp.constant ~loc (Ast_helper.Const.string id)) ]
        in
        Ast_helper.Exp.sequence ~loc hit e
  in
  let is_fun e = match e.pexp_desc with Pexp_fun _ | Pexp_function _ | Pexp_newtype _ -> true | _ -> false in
  let default = Ast_mapper.default_mapper in
  (* The mapper used inside a selected binding. *)
  let inside =
    let case m kind c = { c with pc_guard = Option.map (m.Ast_mapper.expr m) c.pc_guard; pc_rhs = probe kind (m.expr m c.pc_rhs) } in
    let expr m e =
      let sub = m.Ast_mapper.expr m in
      let desc =
        match e.pexp_desc with
        | Pexp_fun (l, d, p, body) ->
            (* Only the innermost body of fun x -> fun y -> ...: a probe between two parameters would
               change the function's arity. *)
            let body = if is_fun body then sub body else probe "entry" (sub body) in
            Pexp_fun (l, Option.map sub d, p, body)
        | Pexp_function cases -> Pexp_function (List.map (case m "case") cases)
        | Pexp_match (s, cases) -> Pexp_match (sub s, List.map (case m "case") cases)
        | Pexp_try (b, cases) -> Pexp_try (sub b, List.map (case m "handler") cases)
        | Pexp_ifthenelse (c, t, f) -> Pexp_ifthenelse (sub c, probe "then" (sub t), Option.map (fun f -> probe "else" (sub f)) f)
        | Pexp_while (c, b) -> Pexp_while (sub c, probe "loop" (sub b))
        | Pexp_for (p, a, b, d, body) -> Pexp_for (p, sub a, sub b, d, probe "loop" (sub body))
        | Pexp_sequence (a, b) -> Pexp_sequence (sub a, probe "next" (sub b))
        | Pexp_let (r, vbs, body) -> Pexp_let (r, List.map (m.value_binding m) vbs, probe "next" (sub body))
        | _ -> (default.expr m e).pexp_desc
      in
      { e with pexp_desc = desc }
    in
    { default with expr }
  in
  let name_of vb = match vb.pvb_pat.ppat_desc with Ppat_var { txt; _ } -> Some txt | _ -> None in
  (* Structure items: a selected let or module is rewritten whole; others are searched no further. *)
  let rec items prefix str =
    List.map
      (fun item ->
        match item.pstr_desc with
        | Pstr_value (r, vbs) ->
            let vbs =
              List.map
                (fun vb ->
                  match name_of vb with
                  | Some n when prefix <> None || wanted n ->
                      owner := (match prefix with Some p -> p ^ "." ^ n | None -> unit_name ^ "." ^ n);
                      let l = vb.pvb_loc in
                      Printf.fprintf out "F\t%s\t%s\t%d\t%d\n" !owner file l.loc_start.pos_lnum l.loc_end.pos_lnum;
                      inside.value_binding inside vb
                  | _ -> vb)
                vbs
            in
            { item with pstr_desc = Pstr_value (r, vbs) }
        | Pstr_module ({ pmb_name = { txt = Some n; _ }; pmb_expr = { pmod_desc = Pmod_structure s; _ } as me; _ } as mb)
          when prefix <> None || wanted n ->
            let p = match prefix with Some p -> p ^ "." ^ n | None -> unit_name ^ "." ^ n in
            let me = { me with pmod_desc = Pmod_structure (items (Some p) s) } in
            { item with pstr_desc = Pstr_module { mb with pmb_expr = me } }
        | _ -> item)
      str
  in
  { default with structure = (fun _ str -> items None str) }

let () = Ast_mapper.run_main mapper
