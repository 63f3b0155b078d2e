using System;
using System.Linq;

namespace Kiln.Model
{
    /// <summary>Questions about a kernel's IR that lowering asks once for every device writer.</summary>
    public static class KernelQueries
    {
        /// <summary>Whether the program uses double precision anywhere: a signature, an expression or a local.</summary>
        public static bool UsesDouble(KernelProgram program) =>
            Bodies(program).Any(b => b.ReturnType == ScalarType.Double || b.Parameters.Any(p => p.Type == ScalarType.Double))
            || Any(program, e => e.Type == ScalarType.Double, declared => declared == ScalarType.Double);

        /// <summary>Whether some operation of the program throws in C# on some operands and must set a device's fault flag.</summary>
        public static bool MayFault(KernelProgram program) => Any(program, MayFault);

        /// <summary>
        /// Whether <paramref name="expression"/> itself is an operation that throws in C# on some operands and must set
        /// the fault flag on a device: integer division or remainder, <c>Math.Abs</c> of a signed integer, or
        /// <c>Math.Sign</c> of a floating-point value (NaN).
        /// </summary>
        public static bool MayFault(KExpr expression) => expression switch
        {
            KBinary { Op: KBinaryOp.Divide or KBinaryOp.Remainder } binary => IsInteger(binary.Left.Type),
            KMathCall call when call.Function.EndsWith(".Abs", StringComparison.Ordinal) => call.Arguments.Count == 1
                && call.Arguments[0].Type is ScalarType.SByte or ScalarType.Short or ScalarType.Int or ScalarType.Long,
            KMathCall call when call.Function.EndsWith(".Sign", StringComparison.Ordinal) => call.Arguments.Count == 1
                && ScalarTypes.IsFloatingPoint(call.Arguments[0].Type),
            _ => false,
        };

        /// <summary>
        /// Whether some expression of the program's bodies satisfies <paramref name="expression"/>, or some local's type
        /// <paramref name="declaration"/>.
        /// </summary>
        public static bool Any(KernelProgram program, Func<KExpr, bool> expression, Func<ScalarType, bool>? declaration = null) =>
            Bodies(program).Any(b => Any(b.Body, expression, declaration ?? (_ => false)));

        private static bool IsInteger(ScalarType type) => type != ScalarType.Bool && !ScalarTypes.IsFloatingPoint(type);

        private static System.Collections.Generic.IEnumerable<KernelBody> Bodies(KernelProgram program) => new[] { program.Kernel }.Concat(program.Helpers);

        private static bool Any(KStmt statement, Func<KExpr, bool> expression, Func<ScalarType, bool> declaration)
        {
            bool In(KStmt inner) => Any(inner, expression, declaration);
            bool Of(KExpr inner) => Any(inner, expression);
            return statement switch
            {
                KBlock block => block.Statements.Any(In),
                KDeclare declare => declaration(declare.Type) || (declare.Initializer is not null && Of(declare.Initializer)),
                KAssign assign => Of(assign.Target) || Of(assign.Value),
                KIf branch => Of(branch.Condition) || In(branch.Then) || (branch.Else is not null && In(branch.Else)),
                KFor loop => loop.Initializers.Any(In) || (loop.Condition is not null && Of(loop.Condition))
                    || loop.Incrementors.Any(In) || In(loop.Body),
                KWhile loop => Of(loop.Condition) || In(loop.Body),
                KDoWhile loop => Of(loop.Condition) || In(loop.Body),
                KReturn ret => Of(ret.Value),
                KExpressionStatement statementExpression => Of(statementExpression.Expression),
                _ => false,
            };
        }

        private static bool Any(KExpr expression, Func<KExpr, bool> predicate) => predicate(expression) || expression switch
        {
            KUnary unary => Any(unary.Operand, predicate),
            KBinary binary => Any(binary.Left, predicate) || Any(binary.Right, predicate),
            KConditional conditional => Any(conditional.Condition, predicate) || Any(conditional.WhenTrue, predicate)
                || Any(conditional.WhenFalse, predicate),
            KCast cast => Any(cast.Operand, predicate),
            KMathCall call => call.Arguments.Any(a => Any(a, predicate)),
            KHelperCall call => call.Arguments.Any(a => Any(a, predicate)),
            KGatherLoad load => Any(load.Index, predicate),
            _ => false,
        };
    }
}
