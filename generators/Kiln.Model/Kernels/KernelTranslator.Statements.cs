using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Kiln.Model
{
    public static partial class KernelTranslator
    {
        /// <summary>One <c>Visit*</c> per statement; each unsupported statement reports at its keyword. Null: not translated.</summary>
        private sealed class StatementTranslator : CSharpSyntaxVisitor<KStmt?>
        {
            private static readonly KStmt Empty = new KBlock(EquatableArray<KStmt>.Empty);

            private readonly BodyTranslator _body;

            public StatementTranslator(BodyTranslator body) => _body = body;

            private ExpressionTranslator Expressions => _body.Expressions;

            public override KStmt? VisitBlock(BlockSyntax node)
            {
                var statements = new List<KStmt>(node.Statements.Count);
                bool failed = false;
                foreach (StatementSyntax statement in node.Statements)
                {
                    _body.CancellationToken.ThrowIfCancellationRequested();
                    failed |= !TranslateInto(statement, statements);
                }

                return failed ? null : new KBlock(statements.ToEquatableArray());
            }

            /// <summary>Translates a statement that may declare locals into the enclosing list (declarations do not open a scope).</summary>
            private bool TranslateInto(StatementSyntax statement, List<KStmt> into)
            {
                switch (statement)
                {
                    case LocalDeclarationStatementSyntax declaration:
                        return Declare(declaration, into);
                    case LabeledStatementSyntax labeled:
                        // A label alone changes nothing; a goto to it is reported at the goto.
                        return TranslateInto(labeled.Statement, into);
                    default:
                        KStmt? translated = Visit(statement);
                        if (translated is not null)
                        {
                            into.Add(translated);
                        }

                        return translated is not null;
                }
            }

            private bool Declare(LocalDeclarationStatementSyntax node, List<KStmt> into)
            {
                if (node.UsingKeyword.IsKind(SyntaxKind.UsingKeyword))
                {
                    _body.Unsupported(node.UsingKeyword, "'using' declarations");
                    return false;
                }

                // Uses of a const local are constants already.
                return node.IsConst || Declare(node.Declaration, into);
            }

            private bool Declare(VariableDeclarationSyntax declaration, List<KStmt> into)
            {
                if (declaration.Type is RefTypeSyntax refType)
                {
                    _body.Unsupported(refType.RefKeyword, "ref locals");
                    return false;
                }

                ITypeSymbol? type = _body.Model.GetTypeInfo(declaration.Type, _body.CancellationToken).Type;
                if (BodyTranslator.IsError(type))
                {
                    _body.Fail();
                    return false;
                }

                if (ScalarTypes.Of(type) is not { } scalar)
                {
                    if (ScalarTypes.GatherElement(type) is not null)
                    {
                        _body.Unsupported(declaration.Type, "Gather<T> locals (gathers are parameters only)");
                    }
                    else if (declaration.Type.IsVar)
                    {
                        // 'var' names no type: the initializer is what to report, unless it is fine by itself.
                        bool alone = true;
                        foreach (VariableDeclaratorSyntax variable in declaration.Variables)
                        {
                            if (variable.Initializer is { } equals)
                            {
                                alone &= Expressions.TranslatesAlone(equals.Value);
                            }
                        }

                        if (alone)
                        {
                            _body.Report(DiagnosticDescriptors.KernelType, declaration.Type.GetLocation(), BodyTranslator.Display(type!));
                        }
                    }
                    else
                    {
                        _body.Report(DiagnosticDescriptors.KernelType, declaration.Type.GetLocation(), BodyTranslator.Display(type!));
                    }

                    return false;
                }

                bool ok = true;
                foreach (VariableDeclaratorSyntax variable in declaration.Variables)
                {
                    KExpr? initializer = null;
                    if (variable.Initializer is { } equals)
                    {
                        initializer = Expressions.Translate(equals.Value);
                        if (initializer is null)
                        {
                            ok = false;
                            continue;
                        }

                        initializer = Cast(initializer, scalar);
                    }

                    into.Add(new KDeclare(scalar, variable.Identifier.ValueText, initializer));
                }

                return ok;
            }

            public override KStmt? VisitExpressionStatement(ExpressionStatementSyntax node) => SideEffect(node.Expression);

            /// <summary>An expression statement, for initializer or incrementor: assignment, <c>++</c>/<c>--</c>, or call.</summary>
            private KStmt? SideEffect(ExpressionSyntax expression)
            {
                switch (expression)
                {
                    case AssignmentExpressionSyntax assignment:
                        return Assign(assignment);
                    case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix:
                        return Increment(prefix.Operand, prefix.IsKind(SyntaxKind.PreIncrementExpression));
                    case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix:
                        return Increment(postfix.Operand, postfix.IsKind(SyntaxKind.PostIncrementExpression));
                    default:
                        KExpr? value = Expressions.Translate(expression);
                        return value is null ? null : new KExpressionStatement(value);
                }
            }

            private KStmt? Assign(AssignmentExpressionSyntax node)
            {
                if (node.Left is TupleExpressionSyntax or DeclarationExpressionSyntax)
                {
                    return Fail(_body.Unsupported(node.Left, "tuple deconstruction"));
                }

                if (node.IsKind(SyntaxKind.CoalesceAssignmentExpression))
                {
                    return Fail(_body.Unsupported(node.OperatorToken, "'??='"));
                }

                if (node.IsKind(SyntaxKind.SimpleAssignmentExpression)
                    && _body.Model.GetSymbolInfo(node.Left, _body.CancellationToken).Symbol is IDiscardSymbol)
                {
                    KExpr? discarded = Expressions.Translate(node.Right);
                    return discarded is null ? null : new KExpressionStatement(discarded);
                }

                KExpr? target = Expressions.AssignmentTarget(node.Left);
                KExpr? right = Expressions.Translate(node.Right);
                if (target is null || right is null)
                {
                    return null;
                }

                if (node.IsKind(SyntaxKind.SimpleAssignmentExpression))
                {
                    return new KAssign(target, Cast(right, target.Type));
                }

                KBinaryOp? op = node.Kind() switch
                {
                    SyntaxKind.AddAssignmentExpression => KBinaryOp.Add,
                    SyntaxKind.SubtractAssignmentExpression => KBinaryOp.Subtract,
                    SyntaxKind.MultiplyAssignmentExpression => KBinaryOp.Multiply,
                    SyntaxKind.DivideAssignmentExpression => KBinaryOp.Divide,
                    SyntaxKind.ModuloAssignmentExpression => KBinaryOp.Remainder,
                    SyntaxKind.AndAssignmentExpression => KBinaryOp.BitAnd,
                    SyntaxKind.OrAssignmentExpression => KBinaryOp.BitOr,
                    SyntaxKind.ExclusiveOrAssignmentExpression => KBinaryOp.BitXor,
                    SyntaxKind.LeftShiftAssignmentExpression => KBinaryOp.ShiftLeft,
                    SyntaxKind.RightShiftAssignmentExpression => KBinaryOp.ShiftRight,
                    SyntaxKind.UnsignedRightShiftAssignmentExpression => KBinaryOp.UnsignedShiftRight,
                    _ => null,
                };
                if (op is not { } binary)
                {
                    return Fail(_body.Fail());
                }

                // x op= y is x = (T)(x op y), computed in the operator's type (byte += int works in int).
                KExpr combined;
                if (ExpressionTranslator.IsShift(binary))
                {
                    ScalarType shifted = ScalarTypes.Promoted(target.Type);
                    combined = new KBinary(shifted, binary, Cast(target, shifted), ExpressionTranslator.MaskShiftCount(Cast(right, ScalarType.Int), shifted));
                }
                else
                {
                    ScalarType common = ScalarTypes.Common(ScalarTypes.Promoted(target.Type), right.Type);
                    combined = new KBinary(common, binary, Cast(target, common), Cast(right, common));
                }

                return new KAssign(target, Cast(combined, target.Type));
            }

            private KStmt? Increment(ExpressionSyntax operand, bool increment)
            {
                KExpr? target = Expressions.AssignmentTarget(operand);
                if (target is null)
                {
                    return null;
                }

                ScalarType type = ScalarTypes.Promoted(target.Type);
                var one = KernelConstants.Create(type, 1)!;
                var combined = new KBinary(type, increment ? KBinaryOp.Add : KBinaryOp.Subtract, Cast(target, type), one);
                return new KAssign(target, Cast(combined, target.Type));
            }

            public override KStmt? VisitIfStatement(IfStatementSyntax node)
            {
                KExpr? condition = Expressions.Translate(node.Condition);
                KStmt? then = Visit(node.Statement);
                KStmt? otherwise = node.Else is { } elseClause ? Visit(elseClause.Statement) : null;
                return condition is null || then is null || (node.Else is not null && otherwise is null)
                    ? null
                    : new KIf(Cast(condition, ScalarType.Bool), then, otherwise);
            }

            public override KStmt? VisitForStatement(ForStatementSyntax node)
            {
                var initializers = new List<KStmt>();
                bool ok = node.Declaration is null || Declare(node.Declaration, initializers);
                foreach (ExpressionSyntax initializer in node.Initializers)
                {
                    ok &= Add(SideEffect(initializer), initializers);
                }

                KExpr? condition = node.Condition is null ? null : Expressions.Translate(node.Condition);
                ok &= node.Condition is null || condition is not null;
                var incrementors = new List<KStmt>();
                foreach (ExpressionSyntax incrementor in node.Incrementors)
                {
                    ok &= Add(SideEffect(incrementor), incrementors);
                }

                KStmt? body = Visit(node.Statement);
                return ok && body is not null
                    ? new KFor(
                        initializers.ToEquatableArray(), condition is null ? null : Cast(condition, ScalarType.Bool), incrementors.ToEquatableArray(), body)
                    : null;
            }

            public override KStmt? VisitWhileStatement(WhileStatementSyntax node)
            {
                KExpr? condition = Expressions.Translate(node.Condition);
                KStmt? body = Visit(node.Statement);
                return condition is null || body is null ? null : new KWhile(Cast(condition, ScalarType.Bool), body);
            }

            public override KStmt? VisitDoStatement(DoStatementSyntax node)
            {
                KStmt? body = Visit(node.Statement);
                KExpr? condition = Expressions.Translate(node.Condition);
                return condition is null || body is null ? null : new KDoWhile(body, Cast(condition, ScalarType.Bool));
            }

            public override KStmt? VisitBreakStatement(BreakStatementSyntax node) => new KBreak();

            public override KStmt? VisitContinueStatement(ContinueStatementSyntax node) => new KContinue();

            public override KStmt? VisitReturnStatement(ReturnStatementSyntax node) =>
                node.Expression is null ? Fail(_body.Fail()) : Return(node.Expression);

            /// <summary><c>return expression;</c>, also the body of an expression-bodied method.</summary>
            public KStmt? Return(ExpressionSyntax expression)
            {
                KExpr? value = Expressions.Translate(expression);
                return value is null || _body.ReturnType is not { } type ? null : new KReturn(Cast(value, type));
            }

            public override KStmt? VisitEmptyStatement(EmptyStatementSyntax node) => Empty;

            public override KStmt? VisitLabeledStatement(LabeledStatementSyntax node) => Visit(node.Statement);

            public override KStmt? VisitCheckedStatement(CheckedStatementSyntax node) =>
                node.IsKind(SyntaxKind.CheckedStatement)
                    ? Fail(_body.Unsupported(node.Keyword, "'checked' arithmetic (kernel arithmetic wraps)"))
                    : VisitBlock(node.Block);

            public override KStmt? VisitLocalDeclarationStatement(LocalDeclarationStatementSyntax node)
            {
                // Only reached as an embedded statement, which the compiler rejects.
                return Fail(_body.Fail());
            }

            public override KStmt? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node) =>
                Fail(_body.Unsupported(node.Identifier, "local functions (use a static method)"));

            public override KStmt? VisitForEachStatement(ForEachStatementSyntax node) => Fail(_body.Unsupported(node.ForEachKeyword, "'foreach' loops"));

            public override KStmt? VisitForEachVariableStatement(ForEachVariableStatementSyntax node) =>
                Fail(_body.Unsupported(node.ForEachKeyword, "'foreach' loops"));

            public override KStmt? VisitLockStatement(LockStatementSyntax node) => Fail(_body.Unsupported(node.LockKeyword, "'lock'"));

            public override KStmt? VisitUsingStatement(UsingStatementSyntax node) => Fail(_body.Unsupported(node.UsingKeyword, "'using' statements"));

            public override KStmt? VisitYieldStatement(YieldStatementSyntax node) => Fail(_body.Unsupported(node.YieldKeyword, "'yield'"));

            public override KStmt? VisitGotoStatement(GotoStatementSyntax node) => Fail(_body.Unsupported(node.GotoKeyword, "'goto'"));

            public override KStmt? VisitSwitchStatement(SwitchStatementSyntax node) =>
                Fail(_body.Unsupported(node.SwitchKeyword, "'switch' statements (use if/else)"));

            public override KStmt? VisitFixedStatement(FixedStatementSyntax node) => Fail(_body.Unsupported(node.FixedKeyword, "'fixed'"));

            public override KStmt? VisitUnsafeStatement(UnsafeStatementSyntax node) => Fail(_body.Unsupported(node.UnsafeKeyword, "'unsafe' code"));

            public override KStmt? VisitTryStatement(TryStatementSyntax node) =>
                Fail(_body.Report(DiagnosticDescriptors.KernelException, node.TryKeyword.GetLocation(), "'try'"));

            public override KStmt? VisitThrowStatement(ThrowStatementSyntax node) =>
                Fail(_body.Report(DiagnosticDescriptors.KernelException, node.ThrowKeyword.GetLocation(), "'throw'"));

            public override KStmt? DefaultVisit(SyntaxNode node) => Fail(_body.Unsupported(node, BodyTranslator.Describe(node)));

            private static bool Add(KStmt? statement, List<KStmt> into)
            {
                if (statement is not null)
                {
                    into.Add(statement);
                }

                return statement is not null;
            }

            private static KStmt? Fail(KExpr? reported) => null;

            private static KExpr Cast(KExpr value, ScalarType type) => ExpressionTranslator.Cast(value, type);
        }
    }
}
